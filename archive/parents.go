package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-message/mail"
	"go.etcd.io/bbolt"
)

// keyParents is set in the meta bucket once every record has had its
// parents read (records written before parents were kept have none).
var keyParents = []byte("parents-read")

// BackfillParents reads the parents (References, In-Reply-To) of the
// messages stored before index records kept them, so that they thread by
// their headers, not only by subject. It runs once per archive, a chunk
// of messages per transaction, and returns how many messages it gave
// parents; stopped by ctx, it goes on where it was at its next run. The
// window runs it in the background.
func (a *Archive) BackfillParents(ctx context.Context) (int, error) {
	done := false
	a.db.View(func(tx *bbolt.Tx) error {
		done = tx.Bucket(bucketMeta).Get(keyParents) != nil
		return nil
	})
	if done {
		return 0, nil
	}
	found := 0
	var after uint64
	var unreadable []error // the first few messages that could not be read
	for {
		var ids []uint64
		end := false
		err := a.db.View(func(tx *bbolt.Tx) error {
			c := tx.Bucket(bucketIndex).Cursor()
			k, v := c.Seek(u64(after + 1))
			for ; k != nil && len(ids) < 500; k, v = c.Next() {
				id, err := idOf(k)
				if err != nil {
					return err
				}
				after = id
				if s, err := decodeSummary(id, v); err == nil && len(s.Parents) == 0 {
					ids = append(ids, id)
				}
			}
			end = k == nil
			return nil
		})
		if err != nil {
			return found, wrapErr("reading parents", err)
		}
		parentsOf := make([][]string, len(ids))
		failed := make([]error, len(ids))
		parallel(len(ids), func(i int) {
			raw, err := a.Raw(ids[i])
			if err != nil {
				failed[i] = fmt.Errorf("message %d: %w", ids[i], err) // damage: the run goes on, and says so at its end
				return
			}
			// CreateReader's error with a reader is an unknown charset,
			// which the headers' references do not need; without one, the
			// message has no header to take parents from.
			if mr, _ := mail.CreateReader(bytes.NewReader(raw)); mr != nil {
				parentsOf[i] = parents(&mr.Header)
				mr.Close()
			}
		})
		for _, err := range failed {
			if err != nil && !errors.Is(err, ErrNotFound) && len(unreadable) < 10 {
				unreadable = append(unreadable, err)
			}
		}
		err = a.db.Update(func(tx *bbolt.Tx) error {
			for i, id := range ids {
				if len(parentsOf[i]) == 0 {
					continue
				}
				s, err := getRecord(tx, id)
				if errors.Is(err, ErrNotFound) || (err == nil && len(s.Parents) > 0) {
					continue // deleted, or given parents meanwhile
				}
				if err != nil {
					return err
				}
				s.Parents = parentsOf[i]
				if err := tx.Bucket(bucketIndex).Put(u64(id), s.encode()); err != nil {
					return err
				}
				found++
			}
			if end {
				return tx.Bucket(bucketMeta).Put(keyParents, []byte{1})
			}
			return nil
		})
		if err != nil {
			return found, wrapErr("reading parents", err)
		}
		a.trim() // it reads every message once
		if ctx.Err() != nil {
			return found, ctx.Err()
		}
		if end {
			if len(unreadable) > 0 {
				return found, wrapErr("reading parents", errors.Join(unreadable...))
			}
			return found, nil
		}
	}
}
