package archive

import (
	"encoding/binary"
	"errors"
	"time"

	"go.etcd.io/bbolt"

	"popvault/archive/fulltext"
)

// ErrNoFullText: the archive was opened without its full-text index.
var ErrNoFullText = errors.New("archive: opened without full-text search")

// ParseSearch reads a search in the query syntax of fulltext.Parse, with
// dates relative to now. Its errors say what is wrong with the query.
func ParseSearch(s string) (*fulltext.Query, error) {
	return fulltext.Parse(s, time.Now())
}

func (a *Archive) textChanged() {
	if a.text != nil {
		a.text.notify()
	}
}

// newest returns the date of the k-th newest message.
func (a *Archive) newest(k int) (time.Time, bool) {
	var date time.Time
	found := false
	a.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketByDate).Cursor()
		i := 1
		for key, _ := c.Last(); key != nil; key, _ = c.Prev() {
			if i == k && len(key) == 16 {
				date = time.Unix(int64(binary.BigEndian.Uint64(key)-1<<63), 0)
				found = true
				return nil
			}
			i++
		}
		return nil
	})
	return date, found
}

// listText lists messages matching a full-text search, newest first.
func (a *Archive) listText(q Query) (Page, error) {
	fq, err := ParseSearch(q.Search)
	if err != nil {
		return Page{}, err
	}
	x, err := a.text.index()
	if err != nil {
		return Page{}, err
	}
	hits, err := x.Search(fq, q.Account, q.Before, q.Limit, a.newest)
	if err != nil {
		return Page{}, wrapErr("", err)
	}
	page := Page{Next: hits.Next, Matches: int(hits.Total)}
	// Hits are spread over the whole file, and the kernel maps in the
	// pages around each record read (and around each date that sized the
	// search's window): a page of thousands would hold much of the file
	// resident. Read them in chunks, giving the pages back after each.
	const chunk = 500
	for i := 0; i < len(hits.IDs); i += chunk {
		if i > 0 {
			a.trim()
		}
		if err := a.records(hits.IDs[i:min(i+chunk, len(hits.IDs))], &page); err != nil {
			return Page{}, wrapErr("search", err)
		}
	}
	a.trim()
	page.Unindexed, _ = a.text.status()
	return page, nil
}

// records appends the index records of ids to the page, and counts those
// gone as not matching: deleted, and the full-text index not told yet.
func (a *Archive) records(ids []uint64, page *Page) error {
	return a.db.View(func(tx *bbolt.Tx) error {
		for _, id := range ids {
			s, err := getRecord(tx, id)
			if errors.Is(err, ErrNotFound) {
				page.Matches--
				continue
			}
			if err != nil {
				return err
			}
			page.Messages = append(page.Messages, s)
		}
		return nil
	})
}
