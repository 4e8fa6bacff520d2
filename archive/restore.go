package archive

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// A restore copies messages into an IMAP mailbox, and the archive records
// which went where, so that a restore run again, after a kill or a
// failure, sends each message once. A target is a mailbox on a server for
// a user; its record holds the mailbox's UIDVALIDITY and, for each message,
// whether it is pending (about to be sent, or sent and not confirmed: the
// server must be asked) or done (with its UID there, when the server said).
var bucketRestores = []byte("restores") // target → {uidvalidity, ids/}

var (
	keyUIDValidity = []byte("uidvalidity")
	bucketIDs      = []byte("ids") // id → state byte, UID (4 bytes, big-endian)
)

// Restore states.
const (
	RestorePending = 'P'
	RestoreDone    = 'D'
)

// RestoreRecord is what the archive knows of one target.
type RestoreRecord struct {
	UIDValidity uint32
	Done        map[uint64]uint32 // message → its UID on the server (0: unknown)
	Pending     []uint64          // sent or about to be, unconfirmed
}

// StartRestore opens the record of a target for a mailbox with this
// UIDVALIDITY. A record for another UIDVALIDITY means the mailbox was
// recreated since: it is emptied, and restarted reports true, so that the
// restore says so and starts over rather than mix the two.
func (a *Archive) StartRestore(target string, uidValidity uint32) (rec RestoreRecord, restarted bool, err error) {
	rec.Done = map[uint64]uint32{}
	err = a.update(func(tx *bbolt.Tx) error {
		all, err := tx.CreateBucketIfNotExists(bucketRestores)
		if err != nil {
			return err
		}
		b, err := all.CreateBucketIfNotExists([]byte(target))
		if err != nil {
			return err
		}
		if v := b.Get(keyUIDValidity); len(v) == 4 && binary.BigEndian.Uint32(v) != uidValidity {
			restarted = true
			if err := b.DeleteBucket(bucketIDs); err != nil && !errors.Is(err, bolterrors.ErrBucketNotFound) {
				return err
			}
		}
		if err := b.Put(keyUIDValidity, binary.BigEndian.AppendUint32(nil, uidValidity)); err != nil {
			return err
		}
		ids, err := b.CreateBucketIfNotExists(bucketIDs)
		if err != nil {
			return err
		}
		rec.UIDValidity = uidValidity
		return ids.ForEach(func(k, v []byte) error {
			if len(k) != 8 || len(v) != 5 {
				return errCorrupt
			}
			id := binary.BigEndian.Uint64(k)
			switch v[0] {
			case RestoreDone:
				rec.Done[id] = binary.BigEndian.Uint32(v[1:])
			case RestorePending:
				rec.Pending = append(rec.Pending, id)
			}
			return nil
		})
	})
	if err != nil {
		return RestoreRecord{}, false, wrapErr("restore", err)
	}
	return rec, restarted, nil
}

// MarkRestore records messages of a target as pending (uid ignored) or
// done (with their UIDs), in one durable commit: a message is marked
// pending before its APPEND is sent, and done only once the server said
// OK. ForgetRestore takes pending marks back for messages the server
// refused.
func (a *Archive) MarkRestore(target string, state byte, uids map[uint64]uint32) error {
	if len(uids) == 0 {
		return nil
	}
	// In key order: bbolt keeps a node's keys sorted until the commit
	// splits it, so puts in a map's random order move half the node
	// each, and 100,000 of them in one commit took 4.7 s.
	order := slices.Sorted(maps.Keys(uids))
	return a.restoreIDs(target, func(ids *bbolt.Bucket) error {
		for _, id := range order {
			v := append([]byte{state}, binary.BigEndian.AppendUint32(nil, uids[id])...)
			if err := ids.Put(u64(id), v); err != nil {
				return err
			}
		}
		return nil
	})
}

// ForgetRestore drops the marks of messages a target's server refused or
// never got: they are sent again next time.
func (a *Archive) ForgetRestore(target string, ids []uint64) error {
	if len(ids) == 0 {
		return nil
	}
	order := slices.Sorted(slices.Values(ids)) // as MarkRestore: in key order
	return a.restoreIDs(target, func(b *bbolt.Bucket) error {
		for _, id := range order {
			if err := b.Delete(u64(id)); err != nil {
				return err
			}
		}
		return nil
	})
}

func (a *Archive) restoreIDs(target string, f func(ids *bbolt.Bucket) error) error {
	err := a.db.Update(func(tx *bbolt.Tx) error {
		all := tx.Bucket(bucketRestores)
		if all == nil || all.Bucket([]byte(target)) == nil || all.Bucket([]byte(target)).Bucket(bucketIDs) == nil {
			return fmt.Errorf("%w: restore target %q", ErrNotFound, target)
		}
		return f(all.Bucket([]byte(target)).Bucket(bucketIDs))
	})
	return wrapErr("restore", err)
}
