package fulltext

import (
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2"
)

// Hits are one page of search results, newest first.
type Hits struct {
	IDs   []uint64
	Total uint64 // matches in all, on every page
	// Next continues the search after this page; nil on the last.
	Next []byte
}

// Search returns up to size ids of messages matching q (and in account,
// if not empty), newest first by the message's date. Pass a page's Next
// as after to get the following page.
func (x *Index) Search(q *Query, account string, after []byte, size int) (Hits, error) {
	req := bleve.NewSearchRequestOptions(q.bleveQuery(account), size, 0, false)
	req.SortBy([]string{"-" + fieldOrder})
	req.Score = "none"
	if after != nil {
		req.SetSearchAfter(strings.Split(string(after), "\x00"))
	}
	res, err := x.idx.Search(req)
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
