package archive

import (
	"bytes"
	"encoding/binary"
	"fmt"

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
			id, err := idFromDateKey(k)
			if err != nil {
				return err
			}
			if len(page.Messages) == q.Limit {
				page.Next = append([]byte(nil), k...)
				page.Next = binary.BigEndian.AppendUint64(page.Next[:8], id+1)
				return nil
			}
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
type Counts struct {
	Total, Unread int
	Bytes         int64 // the stored messages' sizes
}

// Count returns the totals for each account and, under "", for all mail.
// The archive keeps them, updated with every change, so this reads a few
// keys; an archive written before it kept them is counted once, in one
// transaction so that no store slips between the count and its keeping.
func (a *Archive) Count() (map[string]Counts, error) {
	var out map[string]Counts
	ok := false
	a.db.View(func(tx *bbolt.Tx) error {
		out, ok = kept(tx)
		return nil
	})
	if ok {
		return out, nil
	}
	err := a.db.Update(func(tx *bbolt.Tx) error {
		if out, ok = kept(tx); ok {
			return nil
		}
		var err error
		if out, err = recountTx(tx, func() { a.trimIn(tx) }); err != nil {
			return err
		}
		return keep(tx, out)
	})
	a.trim()
	if err != nil {
		return nil, wrapErr("count", err)
	}
	return out, nil
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
