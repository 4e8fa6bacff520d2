package fetch

import (
	"context"
	"sync"

	"popvault/archive"
)

// fetching is the accounts being fetched in this process, by any
// Fetcher: the window's own, and the one that runs a fetch a scheduled
// popvault handed to it (package handoff). Another process cannot fetch
// into the archive meanwhile (bbolt's lock), so this makes one fetch of
// an account at a time, whoever asks: two sessions of one maildrop would
// be refused ([IN-USE]) or see the listing change under them.
var fetching = struct {
	sync.Mutex
	busy map[fetchKey]chan struct{} // closed when the fetch ends
}{busy: map[fetchKey]chan struct{}{}}

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
	k := fetchKey{arch, account}
	for {
		fetching.Lock()
		done, busy := fetching.busy[k]
		if !busy {
			done = make(chan struct{})
			fetching.busy[k] = done
			fetching.Unlock()
			return func() {
				fetching.Lock()
				delete(fetching.busy, k)
				fetching.Unlock()
				close(done)
			}, nil
		}
		fetching.Unlock()
		if claimWaits != nil {
			claimWaits(account)
		}
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
