package fetch

import (
	"context"

	"popvault/archive"
	"popvault/internal/keylock"
)

// fetching is the accounts being fetched in this process, by any
// Fetcher: the window's own, and the one that runs a fetch a scheduled
// popvault handed to it (package handoff). Another process cannot fetch
// into the archive meanwhile (bbolt's lock), so this makes one fetch of
// an account at a time, whoever asks: two sessions of one maildrop would
// be refused ([IN-USE]) or see the listing change under them.
var fetching = keylock.Locks[fetchKey]{Waiting: func(k fetchKey) {
	if claimWaits != nil {
		claimWaits(k.account)
	}
}}

type fetchKey struct {
	arch    *archive.Archive
	account string
}

// claimWaits, when set (tests), is called when a claim waits for
// another fetch of its account.
var claimWaits func(account string)

// claim waits until no other fetch of account into arch runs, or ctx
// ends, and returns what ends this one's.
func claim(ctx context.Context, arch *archive.Archive, account string) (release func(), err error) {
	return fetching.Lock(ctx, fetchKey{arch, account})
}
