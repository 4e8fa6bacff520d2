package archive

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"go.etcd.io/bbolt"
)

// Incoming is a message to store.
type Incoming struct {
	Account string
	UID     string    // the POP unique-id; empty for imported mail
	Raw     []byte    // exactly as received
	Arrived time.Time // zero means now

	ready *ready // set by Prepare
}

// ready is the work on a message that needs no transaction: its hash, its
// compressed bytes and its record.
type ready struct {
	sum  [32]byte
	comp []byte
	rec  *Summary
}

// Prepare does the work of storing in that needs no archive: hashing,
// compressing and parsing. Store does it for what was not prepared; a
// fetch prepares each message as it arrives, so that a commit does not
// wait for a whole batch to be compressed, the last one least of all.
// in must not change afterwards.
func Prepare(in Incoming) Incoming {
	if in.Arrived.IsZero() {
		in.Arrived = time.Now()
	}
	r := &ready{sum: sha256.Sum256(in.Raw), comp: compress(in.Raw), rec: extract(in.Raw, in.Arrived)}
	r.rec.SHA256 = r.sum
	in.ready = r
	return in
}

// Stored says what became of one Incoming.
type Stored struct {
	ID        uint64
	Duplicate bool // the same bytes were already stored; at most the account's claim was added
	Known     bool // this account already had this UID or these bytes; only its UID may have been recorded
}

// prepared is an Incoming with the work that needs no transaction done:
// hashing, compressing and parsing happen before the write lock is taken.
type prepared struct {
	in Incoming
	ready
}

// Store adds a batch of messages and their UIDs in one transaction. When
// it returns without error the batch is on disk (fsync), so the caller may
// then delete those messages from the server. Identical bytes are stored
// once; each account still records its UID.
func (a *Archive) Store(batch []Incoming) ([]Stored, error) {
	now := time.Now()
	preps := make([]prepared, len(batch))
	size := 0
	for i, in := range batch {
		size += len(in.Raw)
		if in.Account == "" {
			return nil, fmt.Errorf("archive: store: message %d has no account", i)
		}
		if in.Arrived.IsZero() {
			in.Arrived = now
		}
		preps[i] = prepared{in: in}
	}
	prepareAll(preps)
	out := make([]Stored, len(batch))
	err := a.db.Update(func(tx *bbolt.Tx) error {
		for i := range preps {
			st, err := storeOne(tx, &preps[i])
			if err != nil {
				return err
			}
			out[i] = st
		}
		return nil
	})
	if err != nil {
		return nil, wrapErr("store", err)
	}
	if a.text != nil {
		a.text.stored()
	}
	// A commit reads back, through the mapping, the pages it rewrote: a
	// batch's worth would stay resident after each, and a long fetch's
	// memory would climb. One message marked read is not worth the call.
	if size >= bulkBytes {
		a.trim()
	}
	return out, nil
}

// bulkBytes is the size of a write after which the archive gives back
// the pages it touched.
const bulkBytes = 1 << 20

// prepareAll prepares, on all cores, what Prepare has not.
func prepareAll(preps []prepared) {
	parallel(len(preps), func(i int) {
		p := &preps[i]
		if p.in.ready == nil {
			p.in = Prepare(p.in)
		}
		p.ready = *p.in.ready
		rec := *p.rec // storeOne fills in its id and claims
		p.rec = &rec
	})
}

func storeOne(tx *bbolt.Tx, p *prepared) (Stored, error) {
	uids, err := accountUIDs(tx, p.in.Account, true)
	if err != nil {
		return Stored{}, err
	}
	if p.in.UID != "" {
		if v := uids.Get([]byte(p.in.UID)); v != nil {
			if len(v) != 16 {
				return Stored{}, errCorrupt
			}
			return Stored{ID: binary.BigEndian.Uint64(v[8:]), Known: true}, nil
		}
	}
	ref := Ref{Account: p.in.Account, UID: p.in.UID}
	hashes := tx.Bucket(bucketHashes)
	var st Stored
	if v := hashes.Get(p.sum[:]); v != nil {
		if len(v) != 8 {
			return Stored{}, errCorrupt
		}
		st = Stored{ID: binary.BigEndian.Uint64(v), Duplicate: true}
		added, err := addRef(tx, st.ID, ref)
		if err != nil {
			return Stored{}, err
		}
		st.Known = !added
	} else {
		msgs := tx.Bucket(bucketMessages)
		id, err := msgs.NextSequence()
		if err != nil {
			return Stored{}, err
		}
		st.ID = id
		p.rec.ID, p.rec.Refs = id, []Ref{ref}
		if err := msgs.Put(u64(id), p.comp); err != nil {
			return Stored{}, err
		}
		if err := hashes.Put(p.sum[:], u64(id)); err != nil {
			return Stored{}, err
		}
		if err := putRecord(tx, nil, p.rec); err != nil {
			return Stored{}, err
		}
	}
	if p.in.UID != "" {
		seen := binary.BigEndian.AppendUint64(nil, uint64(p.in.Arrived.Unix()))
		if err := uids.Put([]byte(p.in.UID), binary.BigEndian.AppendUint64(seen, st.ID)); err != nil {
			return Stored{}, err
		}
	}
	return st, nil
}

// putRecord writes the index record and its date entry, and moves the
// kept totals from what old (nil for a new message) counted to what s
// counts.
func putRecord(tx *bbolt.Tx, old, s *Summary) error {
	if err := tally(tx, old, -1); err != nil {
		return err
	}
	if err := tally(tx, s, 1); err != nil {
		return err
	}
	if err := tx.Bucket(bucketIndex).Put(u64(s.ID), s.encode()); err != nil {
		return err
	}
	return tx.Bucket(bucketByDate).Put(dateKey(s.Date, s.ID), searchText(s))
}

// addRef records that an account brought an already stored message, and
// reports whether that was news. A record keeps one claim per account:
// the account's other UIDs for the same bytes live in its UID bucket
// alone. (A claim per UID let a server that lists one message under
// thousands of UIDs grow the record, rewritten whole each time, without
// bound.)
func addRef(tx *bbolt.Tx, id uint64, ref Ref) (bool, error) {
	s, err := getRecord(tx, id)
	if err != nil {
		return false, err
	}
	for _, r := range s.Refs {
		if r.Account == ref.Account {
			return false, nil
		}
	}
	old := *s
	s.Refs = append(slices.Clip(s.Refs), ref)
	if err := markDirty(tx, id); err != nil {
		return false, err
	}
	return true, putRecord(tx, &old, s)
}

func getRecord(tx *bbolt.Tx, id uint64) (*Summary, error) {
	v := tx.Bucket(bucketIndex).Get(u64(id))
	if v == nil {
		return nil, fmt.Errorf("%w: message %d", ErrNotFound, id)
	}
	return decodeSummary(id, v)
}
