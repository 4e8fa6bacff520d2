// Package health keeps, for each account of an archive, the record that
// every fetch leaves (window, command line, scheduled job): when it last
// succeeded, the last attempt and its result in words, what it brought,
// the account's count in the archive, deliveries waiting; and says a
// fetch's failure in words a person acts on ([Explain]), which the
// window's messages use too.
//
// The record lives in the archive, beside the account's settings (so it
// goes when the account goes), written in the same process that fetches:
// while the window is open, a scheduled run hands its fetch to the window
// (package handoff), which records it.
package health
