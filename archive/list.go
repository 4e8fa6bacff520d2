package archive

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"go.etcd.io/bbolt"
)

// Query selects messages from the index, newest first.
type Query struct {
	Account string // only this account's; empty means all
	// Search is a full-text search (see fulltext.Parse). Without the
	// full-text index, its words are matched, case-folded, against From,
	// To, Cc and Subject.
	Search string
	Before []byte // a Page's Next, to continue a listing
	Limit  int    // at most this many; zero means 100
}

// Page is one page of a listing.
type Page struct {
	Messages []*Summary
	Next     []byte // pass as Query.Before for the next page; nil at the end
	// For a full-text search: how many messages match in all, and how
	// many are not yet indexed (and so not searched).
	Matches, Unindexed int
}

// List returns index records in date order, newest first, filtered by
// account and search.
func (a *Archive) List(q Query) (Page, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	if q.Search != "" && a.text != nil {
		return a.listText(q)
	}
	var acct []byte
	if q.Account != "" {
		acct = []byte("\x01" + q.Account + "\x01")
	}
	words := bytes.Fields([]byte(fold(q.Search)))
	var page Page
	err := a.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketByDate).Cursor()
		k, v := c.Last()
		if q.Before != nil {
			if after, _ := c.Seek(q.Before); after != nil {
				k, v = c.Prev()
			}
		}
		index := tx.Bucket(bucketIndex)
		for ; k != nil; k, v = c.Prev() {
			if !matches(v, acct, words) {
				continue
			}
			if len(page.Messages) == q.Limit {
				page.Next = append([]byte(nil), k...)
				page.Next = binary.BigEndian.AppendUint64(page.Next[:8], idFromDateKey(k)+1)
				return nil
			}
			id := idFromDateKey(k)
			s, err := decodeSummary(id, index.Get(u64(id)))
			if err != nil {
				return fmt.Errorf("message %d: %w", id, err)
			}
			page.Messages = append(page.Messages, s)
		}
		return nil
	})
	if err != nil {
		return Page{}, wrapErr("list", err)
	}
	if q.Limit >= bulkRecords {
		// A page this long touched megabytes of the file; an interactive
		// first page, re-faulted on every call, would cost more than it
		// holds.
		a.trim()
	}
	return page, nil
}

// bulkRecords is the length of a page after which the archive gives back
// the pages it read.
const bulkRecords = 1000

// matches checks a byDate value: the account marks, then a NUL, then the
// folded header text, which must hold every word.
func matches(v, acct []byte, words [][]byte) bool {
	sep := bytes.IndexByte(v, 0)
	if sep < 0 {
		return false
	}
	if acct != nil && !bytes.Contains(v[:sep], acct) {
		return false
	}
	text := v[sep+1:]
	for _, w := range words {
		if !bytes.Contains(text, w) {
			return false
		}
	}
	return true
}

// Counts are a mailbox's totals.
type Counts struct{ Total, Unread int }

// Count returns the totals for each account and, under "", for all mail.
//
// It reads every index record, and the kernel maps in the file around
// each page it touches (records sit between message pages, so that is
// much of the file), so it reads them in chunks and gives the pages back
// after each: a window recounts on every message it marks read. A
// store between chunks may be counted or not, as it would be a moment
// earlier or later.
func (a *Archive) Count() (map[string]Counts, error) { return a.count(10000) }

func (a *Archive) count(chunk int) (map[string]Counts, error) {
	out := map[string]Counts{}
	var accounts [][]byte
	add := func(name []byte, read bool) {
		c := out[string(name)]
		c.Total++
		if !read {
			c.Unread++
		}
		out[string(name)] = c
	}
	for from := uint64(0); ; {
		next, err := a.countFrom(from, chunk, func(v []byte) error {
			read, err := countFields(v, &accounts)
			if err != nil {
				return err
			}
			add(nil, read)
			for i, a := range accounts {
				if !slices.ContainsFunc(accounts[:i], func(b []byte) bool { return bytes.Equal(a, b) }) {
					add(a, read)
				}
			}
			return nil
		})
		a.trim()
		if err != nil {
			return nil, wrapErr("count", err)
		}
		if next == 0 {
			return out, nil
		}
		from = next
	}
}

// countFrom calls f with up to n index records from id from on, and
// returns the id to go on from, or 0 at the end.
func (a *Archive) countFrom(from uint64, n int, f func(v []byte) error) (next uint64, err error) {
	err = a.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketIndex).Cursor()
		for k, v := c.Seek(u64(from)); k != nil; k, v = c.Next() {
			if n == 0 {
				next = binary.BigEndian.Uint64(k)
				return nil
			}
			n--
			if err := f(v); err != nil {
				return err
			}
		}
		return nil
	})
	return next, err
}

// Summary returns one message's index record.
func (a *Archive) Summary(id uint64) (*Summary, error) {
	var s *Summary
	err := a.db.View(func(tx *bbolt.Tx) error {
		var err error
		s, err = getRecord(tx, id)
		return err
	})
	return s, err
}
