package archive

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"

	"go.etcd.io/bbolt"
)

// Report is what Verify found.
type Report struct {
	Messages int      // messages re-hashed
	Bytes    int64    // raw bytes re-hashed
	Problems []string // one line each; empty when all is well
}

// OK reports whether nothing was wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Verify runs bbolt's consistency check, then decompresses and re-hashes
// every message against the SHA-256 recorded when it was stored, and
// checks that each message has its index record. progress, if not nil, is
// called after each message with the count so far.
func (a *Archive) Verify(progress func(done int)) (*Report, error) {
	r := &Report{}
	check := func(tx *bbolt.Tx) error {
		for err := range tx.Check() {
			r.problem("bbolt: %v", err)
		}
		return nil
	}
	// bbolt's check reads the free list, which a concurrent commit (the
	// indexer's, a fetch's) changes: hold the writer's lock while it runs.
	if err := a.writerLocked(check); err != nil {
		return nil, wrapErr("verify", err)
	}
	err := a.db.View(func(tx *bbolt.Tx) error {
		index := tx.Bucket(bucketIndex)
		return tx.Bucket(bucketMessages).ForEach(func(k, v []byte) error {
			id := binary.BigEndian.Uint64(k)
			r.Messages++
			a.verifyOne(r, id, v, index.Get(k))
			if progress != nil {
				progress(r.Messages)
			}
			return nil
		})
	})
	if err != nil {
		return nil, wrapErr("verify", err)
	}
	a.verifyText(r)
	a.verifyCounts(r)
	return r, nil
}

// verifyCounts compares the totals the archive keeps with a count of
// every record, and puts the count in their place where they differ (an
// older popvault wrote to the archive, say): reported, and repaired.
func (a *Archive) verifyCounts(r *Report) {
	check := func(tx *bbolt.Tx) error {
		have, ok := kept(tx)
		if !ok {
			return nil // counted at the first Count
		}
		want, err := recountTx(tx)
		if err != nil {
			return err
		}
		if maps.Equal(have, want) {
			return nil
		}
		r.problem("kept totals (%d messages, %d unread) differ from a count (%d, %d)", have[""].Total, have[""].Unread, want[""].Total, want[""].Unread)
		if tx.Writable() {
			r.Problems[len(r.Problems)-1] += "; corrected"
			return keep(tx, want)
		}
		return nil
	}
	err := a.writerLocked(check)
	a.trim()
	if err != nil {
		r.problem("totals: %v", err)
	}
}

// writerLocked runs f holding the writer's lock (in a write transaction),
// or in a read transaction where the archive is open read-only.
func (a *Archive) writerLocked(f func(tx *bbolt.Tx) error) error {
	if a.db.IsReadOnly() {
		return a.db.View(f)
	}
	return a.db.Update(f)
}

// verifyText checks, once indexing has caught up, that the full-text
// index holds one document per message.
func (a *Archive) verifyText(r *Report) {
	if a.text == nil {
		return
	}
	if err := a.WaitIndexed(context.Background()); err != nil {
		r.problem("search index: %v", err)
		return
	}
	x, err := a.text.index()
	var n uint64
	if err == nil {
		n, err = x.DocCount()
	}
	if err != nil {
		r.problem("search index: %v", err)
	} else if n != uint64(r.Messages) {
		r.problem("search index holds %d messages of %d; run popvault reindex", n, r.Messages)
	}
}

func (a *Archive) verifyOne(r *Report, id uint64, comp, rec []byte) {
	s, err := decodeSummary(id, rec)
	if rec == nil {
		err = errors.New("no index record")
	}
	if err != nil {
		r.problem("message %d: %v", id, err)
		return
	}
	raw, err := decompress(comp)
	if err != nil {
		r.problem("message %d: %v", id, err)
		return
	}
	r.Bytes += int64(len(raw))
	if sha256.Sum256(raw) != s.SHA256 {
		r.problem("message %d: content does not match its SHA-256", id)
	}
	if int64(len(raw)) != s.Size {
		r.problem("message %d: size %d, recorded %d", id, len(raw), s.Size)
	}
}

func (r *Report) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}
