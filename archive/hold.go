package archive

import (
	"errors"
	"fmt"
	"sync"

	"go.etcd.io/bbolt"
)

// ErrHeld: the message cannot be deleted from the archive now, because a
// fetch is deleting its server copy, which it does only while the archive
// holds the message. Try again when the fetch ends.
var ErrHeld = errors.New("archive: a fetch under way is deleting this message's server copy; try again when it ends")

// holds pins messages that a fetch is about to delete from a server. The
// archive file has one process at a time (bbolt's lock), so pins in
// memory cover every deleter.
type holds struct {
	mu     sync.Mutex // held across a deleting transaction, so a check and the delete are one step
	pinned map[uint64]int
}

// Hold reports which of ids the archive holds now, and pins those so that
// no Delete or Account.Remove removes them until release is called. A
// fetch holds what it will delete on a server from before its DELE until
// after its QUIT: a message is deleted from a server only while the
// archive still has it.
func (a *Archive) Hold(ids []uint64) (held map[uint64]bool, release func(), err error) {
	a.holds.mu.Lock()
	defer a.holds.mu.Unlock()
	held = make(map[uint64]bool, len(ids))
	err = a.db.View(func(tx *bbolt.Tx) error {
		msgs := tx.Bucket(bucketMessages)
		for _, id := range ids {
			if msgs.Get(u64(id)) != nil {
				held[id] = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, func() {}, wrapErr("", err)
	}
	if a.holds.pinned == nil {
		a.holds.pinned = map[uint64]int{}
	}
	for id := range held {
		a.holds.pinned[id]++
	}
	var once sync.Once
	return held, func() {
		once.Do(func() {
			a.holds.mu.Lock()
			defer a.holds.mu.Unlock()
			for id := range held {
				if a.holds.pinned[id]--; a.holds.pinned[id] <= 0 {
					delete(a.holds.pinned, id)
				}
			}
		})
	}, nil
}

// deleting runs a transaction that may delete messages, refusing any
// that a fetch holds.
func (a *Archive) deleting(f func(tx *bbolt.Tx, mayDelete func(id uint64) error) error) error {
	a.holds.mu.Lock()
	defer a.holds.mu.Unlock()
	return a.update(func(tx *bbolt.Tx) error {
		return f(tx, func(id uint64) error {
			if a.holds.pinned[id] > 0 {
				return fmt.Errorf("%w (message %d)", ErrHeld, id)
			}
			return nil
		})
	})
}
