package archive

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Records are what a caller keeps in the archive about another place its
// messages go: a restore records which messages it copied into an IMAP
// mailbox, a delivery which it put into an inbox. Each service (restore,
// delivery) names its targets (a mailbox on a server for a user, say);
// for each target it keeps a value per message, by the message's id, and
// a few named values about the target itself. The archive stores the
// bytes and never reads them: each caller encodes them and gives them
// their meaning.
//
// In the file, a service is a bucket named after it, holding a bucket
// per target; there the target's named values are keys, and the values by
// message sit in a bucket "ids" under big-endian ids. This is the layout
// restore has written since its first version, so its records carry over.
type Records struct {
	a       *Archive
	service []byte
}

var bucketRecordIDs = []byte("ids") // id → the caller's value

// Records returns the records a service keeps. The service's name is a
// bucket of the file: it must stay the same from one version to the next
// ("restores" is restore's).
func (a *Archive) Records(service string) Records {
	return Records{a: a, service: []byte(service)}
}

// Update changes a target's records in one durable commit, creating them
// if there are none: all that f does is kept, or, when f or the commit
// fails, none of it. t is valid only while f runs. f runs inside the
// archive's one write transaction, which every store waits for: it must
// not wait on the network or on another Update.
func (r Records) Update(target string, f func(t *Target) error) error {
	err := r.a.db.Update(func(tx *bbolt.Tx) error {
		all, err := tx.CreateBucketIfNotExists(r.service)
		if err != nil {
			return err
		}
		b, err := all.CreateBucketIfNotExists([]byte(target))
		if err != nil {
			return err
		}
		return f(&Target{b: b})
	})
	return r.wrap(err)
}

// View reads a target's records; they are ErrNotFound when there are none.
// t is valid only while f runs.
func (r Records) View(target string, f func(t *Target) error) error {
	err := r.a.db.View(func(tx *bbolt.Tx) error {
		b := r.target(tx, target)
		if b == nil {
			return fmt.Errorf("%w: %s target %q", ErrNotFound, r.service, target)
		}
		return f(&Target{b: b})
	})
	return r.wrap(err)
}

// Targets lists the targets that have records, in byte order.
func (r Records) Targets() ([]string, error) {
	var names []string
	err := r.a.db.View(func(tx *bbolt.Tx) error {
		all := tx.Bucket(r.service)
		if all == nil {
			return nil
		}
		return all.ForEachBucket(func(k []byte) error {
			names = append(names, string(k))
			return nil
		})
	})
	return names, r.wrap(err)
}

// Remove forgets a target's records, all of them; removing a target that
// has none is no error.
func (r Records) Remove(target string) error {
	err := r.a.db.Update(func(tx *bbolt.Tx) error {
		all := tx.Bucket(r.service)
		if all == nil {
			return nil
		}
		err := all.DeleteBucket([]byte(target))
		if errors.Is(err, bolterrors.ErrBucketNotFound) {
			return nil
		}
		return err
	})
	return r.wrap(err)
}

func (r Records) target(tx *bbolt.Tx, target string) *bbolt.Bucket {
	if all := tx.Bucket(r.service); all != nil {
		return all.Bucket([]byte(target))
	}
	return nil
}

func (r Records) wrap(err error) error {
	if err == nil {
		return nil
	}
	return wrapErr(string(r.service), err)
}

// Target is one target's records, open for reading (in View) or for
// changing (in Update). Value and Get return copies; a value Each passes
// is valid only during the call.
type Target struct {
	b *bbolt.Bucket
}

// Value is the target's value named name, or nil.
func (t *Target) Value(name string) []byte {
	return bytesCopy(t.b.Get([]byte(name)))
}

// SetValue sets the target's value named name ("ids" is taken).
func (t *Target) SetValue(name string, v []byte) error {
	return t.b.Put([]byte(name), v)
}

// Get is message id's value, or nil.
func (t *Target) Get(id uint64) []byte {
	if ids := t.b.Bucket(bucketRecordIDs); ids != nil {
		return bytesCopy(ids.Get(u64(id)))
	}
	return nil
}

// Each calls f with each message's id and value in the order of ids; v is
// valid only during the call.
func (t *Target) Each(f func(id uint64, v []byte) error) error {
	ids := t.b.Bucket(bucketRecordIDs)
	if ids == nil {
		return nil
	}
	return ids.ForEach(func(k, v []byte) error {
		if len(k) != 8 {
			return errCorrupt
		}
		return f(binary.BigEndian.Uint64(k), v)
	})
}

// Put sets the values of messages; it is quickest when given ids in
// ascending order.
func (t *Target) Put(values map[uint64][]byte) error {
	if len(values) == 0 {
		return nil
	}
	ids, err := t.b.CreateBucketIfNotExists(bucketRecordIDs)
	if err != nil {
		return err
	}
	// In key order: bbolt keeps a node's keys sorted until the commit
	// splits it, so puts in a map's random order move half the node
	// each, and 100,000 of them in one commit took 4.7 s.
	for _, id := range sortedKeys(values) {
		if err := ids.Put(u64(id), values[id]); err != nil {
			return err
		}
	}
	return nil
}

// Delete drops the values of messages, in whatever order they come.
func (t *Target) Delete(id ...uint64) error {
	b := t.b.Bucket(bucketRecordIDs)
	if b == nil || len(id) == 0 {
		return nil
	}
	for _, id := range slices.Sorted(slices.Values(id)) { // as Put: in key order
		if err := b.Delete(u64(id)); err != nil {
			return err
		}
	}
	return nil
}

// Clear drops every message's value; the target's named values stay.
func (t *Target) Clear() error {
	err := t.b.DeleteBucket(bucketRecordIDs)
	if errors.Is(err, bolterrors.ErrBucketNotFound) {
		return nil
	}
	return err
}

func bytesCopy(v []byte) []byte {
	if v == nil {
		return nil
	}
	return append([]byte(nil), v...)
}

func sortedKeys[V any](m map[uint64]V) []uint64 {
	keys := make([]uint64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
