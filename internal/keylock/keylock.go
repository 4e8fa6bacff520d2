// Package keylock gives one holder at a time per key, in this process,
// waiting with a context: one fetch of an account into an archive, one
// delivery into an account's target. Unlike a sync.Mutex per key, it
// keeps no entry for a key nobody holds, and a waiter gives up when its
// context ends.
package keylock

import (
	"context"
	"sync"
)

// Locks holds the keys held now. The zero value is ready to use.
type Locks[K comparable] struct {
	// Waiting, when set (tests), is called when a Lock waits for
	// another holder of its key.
	Waiting func(K)

	mu   sync.Mutex
	busy map[K]chan struct{} // closed when its holder lets go
}

// Lock waits until nobody holds k, or ctx ends, and returns what lets
// the next one in.
func (l *Locks[K]) Lock(ctx context.Context, k K) (unlock func(), err error) {
	for {
		l.mu.Lock()
		done, busy := l.busy[k]
		if !busy {
			if l.busy == nil {
				l.busy = map[K]chan struct{}{}
			}
			done = make(chan struct{})
			l.busy[k] = done
			l.mu.Unlock()
			return func() {
				l.mu.Lock()
				delete(l.busy, k)
				l.mu.Unlock()
				close(done)
			}, nil
		}
		l.mu.Unlock()
		if l.Waiting != nil {
			l.Waiting(k)
		}
		select {
		case <-done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
