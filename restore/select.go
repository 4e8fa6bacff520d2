package restore

import (
	"fmt"

	"popvault/archive"
)

// Select lists the messages of an account, or a search's results (see
// archive.ParseSearch), or with both empty the whole archive. A search
// needs the full-text index complete (archive.SearchIndex.Wait): a restore must
// not miss a message because it was not indexed yet.
func Select(a *archive.Archive, account, search string) ([]uint64, error) {
	q := archive.Query{Account: account, Search: search, Limit: 1000}
	var ids []uint64
	for {
		page, err := a.List(q)
		if err != nil {
			return nil, err
		}
		if page.Unindexed > 0 {
			return nil, fmt.Errorf("restore: %d messages are not indexed for search yet", page.Unindexed)
		}
		for _, s := range page.Messages {
			ids = append(ids, s.ID)
		}
		if page.Next == nil {
			return ids, nil
		}
		q.Before = page.Next
	}
}
