package fulltext

import (
	"fmt"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Hits are one page of search results, newest first.
type Hits struct {
	IDs   []uint64
	Total uint64 // matches in all, on every page
	// Next continues the search after this page; nil on the last.
	Next []byte
}

// Newest returns the date of the k-th newest message (1 is the newest),
// or false if there are fewer than k.
type Newest func(k int) (time.Time, bool)

// Search returns up to size ids of messages matching q (and in account,
// if not empty), newest first by the message's date. Pass a page's Next
// as after to get the following page.
//
// Sorting every match by date is most of a search's time when a word is
// in most messages. So a first page, given newest, is first sought among
// the newest messages only: about three pages' worth of matches, judged
// from the count of all matches (which needs no sorting). If that window
// fills the page, nothing older could be on it; if not, the whole index
// is sorted after all.
func (x *Index) Search(q *Query, account string, after []byte, size int, newest Newest) (Hits, error) {
	defer x.Trim() // a common word's postings are megabytes
	bq := q.bleveQuery(account)
	if after == nil && size > 0 && newest != nil {
		if h, ok, err := x.searchRecent(bq, size, newest); ok || err != nil {
			return h, err
		}
	}
	return x.search(bq, after, size)
}

func (x *Index) searchRecent(bq query.Query, size int, newest Newest) (Hits, bool, error) {
	count, err := x.current().Search(bleve.NewSearchRequestOptions(bq, 0, 0, false))
	if err != nil {
		return Hits{}, false, fmt.Errorf("fulltext: search: %w", err)
	}
	docs, err := x.current().DocCount()
	if err != nil || count.Total <= uint64(3*size) {
		return Hits{}, false, nil
	}
	window := int(min(docs, 3*uint64(size)*docs/count.Total+1))
	since, ok := newest(window)
	if !ok {
		return Hits{}, false, nil
	}
	yes := true
	recent := bleve.NewDateRangeInclusiveQuery(since, time.Time{}, &yes, nil)
	recent.SetField(fieldDate)
	h, err := x.search(bleve.NewConjunctionQuery(bq, recent), nil, size)
	if err != nil || len(h.IDs) < size {
		return Hits{}, false, err
	}
	h.Total = count.Total
	return h, true, nil
}

func (x *Index) search(bq query.Query, after []byte, size int) (Hits, error) {
	req := bleve.NewSearchRequestOptions(bq, size, 0, false)
	req.SortBy([]string{"-" + fieldOrder})
	req.Score = "none"
	if after != nil {
		req.SetSearchAfter(strings.Split(string(after), "\x00"))
	}
	res, err := x.current().Search(req)
	if err != nil {
		return Hits{}, fmt.Errorf("fulltext: search: %w", err)
	}
	h := Hits{Total: res.Total, IDs: make([]uint64, 0, len(res.Hits))}
	for _, hit := range res.Hits {
		id, err := parseDocID(hit.ID)
		if err != nil {
			return Hits{}, fmt.Errorf("fulltext: search: document %q: %w", hit.ID, err)
		}
		h.IDs = append(h.IDs, id)
	}
	if len(res.Hits) == size && size > 0 {
		h.Next = []byte(strings.Join(res.Hits[len(res.Hits)-1].Sort, "\x00"))
	}
	return h, nil
}
