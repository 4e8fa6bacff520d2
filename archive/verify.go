package archive

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"time"

	"go.etcd.io/bbolt"
)

// Report is what Verify found.
type Report struct {
	Messages int      // messages re-hashed
	Bytes    int64    // raw bytes re-hashed
	Problems []string // one line each; empty when all is well
}

// Verify reads the whole file, and every page it reads would stay
// resident until given back: it gives them back after reading
// verifyTrimBytes of messages, and every verifyTrimEvery while bbolt
// checks the file.
var (
	verifyTrimBytes = 64 << 20
	verifyTrimEvery = 10 * time.Millisecond
)

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
	// It also reads every page of the file in one call: its pages are
	// given back as it goes, or its peak memory is the file's size.
	stop := a.trimEvery(verifyTrimEvery)
	err := a.writerLocked(check)
	stop()
	if err != nil {
		return nil, wrapErr("verify", err)
	}
	if err := a.verifyMessages(r, progress); err != nil {
		return nil, wrapErr("verify", err)
	}
	a.verifyText(r)
	a.verifyCounts(r)
	return r, nil
}

// verifyMessages decompresses and re-hashes every message, giving the
// file's pages back after each verifyTrimBytes read.
func (a *Archive) verifyMessages(r *Report, progress func(done int)) error {
	return a.db.View(func(tx *bbolt.Tx) error {
		index := tx.Bucket(bucketIndex)
		read := 0
		return tx.Bucket(bucketMessages).ForEach(func(k, v []byte) error {
			id, err := idOf(k)
			if err != nil {
				r.problem("a message under the key %x: not a message's key", k)
				return nil
			}
			r.Messages++
			a.verifyOne(r, id, v, index.Get(k))
			if read += len(v); read >= verifyTrimBytes {
				a.trimIn(tx)
				read = 0
			}
			if progress != nil {
				progress(r.Messages)
			}
			return nil
		})
	})
}

// trimEvery trims every d until the returned stop is called.
func (a *Archive) trimEvery(d time.Duration) (stop func()) {
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				a.trim()
			}
		}
	}()
	return func() { close(done); <-finished }
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
		want, err := recountTx(tx, func() { a.trimIn(tx) })
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
	if err := a.SearchIndex().Wait(context.Background()); err != nil {
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
