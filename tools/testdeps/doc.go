// Package testdeps holds one test: every program that popvault's code and
// tests run (exec.Command, exec.CommandContext, exec.LookPath, and the
// commands of an "sh -c" script) must come from a Debian package that
// `make test` installs, so that a clean machine runs the same tests as the
// machine that wrote them. It has no code of its own.
package testdeps
