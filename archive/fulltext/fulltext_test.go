package fulltext

import (
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
)

func day(s string) time.Time {
	d, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		panic(err)
	}
	return d.Add(12 * time.Hour)
}

// corpus: ids are in date order, so newest first is descending ids.
var corpus = []Doc{
	{ID: 1, Date: day("2023-01-10"), Accounts: []string{"work"}, From: "Ann Lee <ann.lee@example.com>", To: "bob@example.org",
		Subject: "Quarterly report", Body: "Please find the quarterly report attached. The meeting is on Monday.", Attachments: []string{"report-q4.pdf"}},
	{ID: 2, Date: day("2023-03-05"), Accounts: []string{"home"}, From: "Carl <carl@mail.example>", To: "me@home.example",
		Subject: "Holiday photos", Body: "Here are the photos from the beach. Meetings next week?", Attachments: []string{"beach.jpg", "sunset.jpg"}},
	{ID: 3, Date: day("2023-06-20"), Accounts: []string{"work", "home"}, From: "Ann Lee <ann.lee@example.com>", To: "me@home.example",
		Subject: "Re: Holiday photos", Body: "Lovely beach! The report can wait."},
	{ID: 4, Date: day("2024-02-01"), Accounts: []string{"work"}, From: "Büro Müller <info@müller.example>", To: "team@example.org",
		Subject: "Grüße aus München", Body: "Die Besprechung ist am Freitag. Schöne Grüße."},
	{ID: 5, Date: day("2024-05-31"), Accounts: []string{"home"}, From: "newsletter@shop.example", To: "me@home.example",
		Subject: "Sale", Body: "Big sale on reports and beach towels. Unsubscribe at http://shop.example/u"},
	{ID: 6, Date: day("2024-06-01"), Accounts: []string{"home"}, From: "Dan <dan@example.net>", To: "me@home.example",
		Subject: "quarterly numbers", Body: "report quarterly the numbers, not the quarterly report"},
}

func TestSearchExactResults(t *testing.T) {
	x := openCorpus(t)
	now := day("2024-06-10")
	for _, c := range []struct {
		q       string
		account string
		want    []uint64
	}{
		{q: "report", want: []uint64{6, 5, 3, 1}}, // "reports" stems to report
		{q: "quarterly report", want: []uint64{6, 1}},
		{q: `"quarterly report"`, want: []uint64{6, 1}},
		{q: `"report quarterly the numbers"`, want: []uint64{6}},
		{q: `"attached report"`, want: nil},
		{q: "meeting", want: []uint64{2, 1}},
		{q: "from:ann", want: []uint64{3, 1}},
		{q: "from:ann.lee@example.com", want: []uint64{3, 1}},
		{q: "from:example.com", want: []uint64{3, 1}},
		{q: "from:ann beach", want: []uint64{3}},
		{q: "to:me@home.example photos", want: []uint64{3, 2}},
		{q: "subject:holiday", want: []uint64{3, 2}},
		{q: `subject:"holiday photos" -re`, want: []uint64{2}},
		{q: "beach -from:carl", want: []uint64{5, 3}},
		{q: "has:attachment", want: []uint64{2, 1}},
		{q: "filename:pdf", want: []uint64{1}},
		{q: "filename:sunset.jpg", want: []uint64{2}},
		{q: "sunset", want: []uint64{2}},
		{q: "after:2024-01-01", want: []uint64{6, 5, 4}},
		{q: "before:2024/01/01 beach", want: []uint64{3, 2}},
		{q: "after:2024-05-31 before:2024-06-01", want: []uint64{5}},
		{q: "after:2023-06 before:2024", want: []uint64{3}},
		{q: "newer_than:2w", want: []uint64{6, 5}},
		{q: "older_than:1y", want: []uint64{2, 1}},
		{q: "account:work", want: []uint64{4, 3, 1}},
		{q: "beach", account: "home", want: []uint64{5, 3, 2}},
		{q: "grüße", want: []uint64{4}},
		{q: "münchen", want: []uint64{4}},
		{q: "munchen grusse", want: []uint64{4}},
		{q: "from:muller", want: []uint64{4}},
		{q: "FREITAG", want: []uint64{4}},
		{q: "http://shop.example/u", want: []uint64{5}},
		{q: "re:", want: []uint64{3}},
		{q: "the", want: []uint64{6, 5, 4, 3, 2, 1}}, // only a stop word: everything
		{q: "nothing-like-this", want: nil},
	} {
		q, err := Parse(c.q, now)
		if err != nil {
			t.Errorf("%q: %v", c.q, err)
			continue
		}
		h, err := x.Search(q, c.account, nil, 100, nil)
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		if !slices.Equal(h.IDs, c.want) || h.Total != uint64(len(c.want)) {
			t.Errorf("%q in %q: got %v (total %d), want %v", c.q, c.account, h.IDs, h.Total, c.want)
		}
	}
}

func openCorpus(t *testing.T) *Index {
	t.Helper()
	x, err := Open(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	if err := x.Apply(corpus, nil, []byte("owner"), 6); err != nil {
		t.Fatal(err)
	}
	return x
}

func TestSyntaxErrors(t *testing.T) {
	for _, q := range []string{"before:yesterday", "after:2024-13-01", "has:money", "newer_than:x", "older_than:5q"} {
		if _, err := Parse(q, time.Now()); err == nil {
			t.Errorf("%q: no error", q)
		}
	}
}

func TestPagingAndState(t *testing.T) {
	x := openCorpus(t)
	q, _ := Parse("", time.Now())
	var got []uint64
	var after []byte
	for {
		h, err := x.Search(q, "", after, 4, nil)
		if err != nil {
			t.Fatal(err)
		}
		if h.Total != 6 {
			t.Fatalf("total %d", h.Total)
		}
		got = append(got, h.IDs...)
		if after = h.Next; after == nil {
			break
		}
	}
	if !slices.Equal(got, []uint64{6, 5, 4, 3, 2, 1}) {
		t.Fatalf("pages gave %v", got)
	}
	if err := x.Apply(nil, []uint64{5}, []byte("owner"), 7); err != nil {
		t.Fatal(err)
	}
	owner, mark, err := x.State()
	if err != nil || string(owner) != "owner" || mark != 7 {
		t.Fatalf("state %q %d %v", owner, mark, err)
	}
	if n, _ := x.DocCount(); n != 5 {
		t.Fatalf("%d documents after a delete", n)
	}
	if err := x.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, mark, _ := x.State(); mark != 0 {
		t.Fatalf("mark %d after reset", mark)
	}
}

func TestSnippet(t *testing.T) {
	q, _ := Parse(`meetings "beach towels"`, time.Now())
	text := "Long ago.\nWe had a meeting about the beach\ttowels and more meetings."
	snip, spans := q.Snippet(text, 50)
	var marked []string
	for _, s := range spans {
		marked = append(marked, snip[s.Start:s.End])
	}
	if want := []string{"meeting", "beach", "towels"}; !slices.Equal(marked, want) {
		t.Fatalf("snippet %q marks %q, want %q", snip, marked, want)
	}
	if snip[0:len("…")] != "…" {
		t.Errorf("snippet %q does not show it was cut", snip)
	}
}

// FuzzParse: any query parses or fails cleanly, and a parsed one marks
// spans inside the text it is given.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`a "b c" -d from:e to:"f g" has:attachment after:2024-01-01 before:2024/02 newer_than:3d`, `"`, `-`, `from:`, `-"`, "subject:\"\x00", "ü:ß"} {
		f.Add(s, "some text with a b c d")
	}
	f.Fuzz(func(t *testing.T, q, text string) {
		p, err := Parse(q, time.Now())
		if err != nil {
			return
		}
		for _, s := range p.Spans(text, 0) {
			if s.Start < 0 || s.End > len(text) || s.Start > s.End {
				t.Fatalf("span %v outside %d bytes", s, len(text))
			}
		}
		p.bleveQuery("x")
		snip, spans := p.Snippet(text, 40)
		for _, s := range spans {
			if s.Start < 0 || s.End > len(snip) || s.Start > s.End {
				t.Fatalf("snippet span %v outside %q", s, snip)
			}
		}
	})
}

// The first page sought among the newest messages equals the first page
// of a full sort, whatever the words' spread over time.
func TestRecentWindowSameAsFullSort(t *testing.T) {
	x, err := Open(filepath.Join(t.TempDir(), "idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var docs []Doc
	var dates []time.Time
	start := day("2020-01-01")
	for i := range 600 {
		body := "common"
		if i%7 == 0 {
			body += " weekly"
		}
		// Dates in another order than ids.
		hours := i * 37 % 600
		if hours < 100 {
			body += " oldword" // only in old mail: the window misses it
		}
		d := start.Add(time.Duration(hours) * time.Hour)
		docs = append(docs, Doc{ID: uint64(i + 1), Date: d, Accounts: []string{"a"}, Body: body})
		dates = append(dates, d)
	}
	if err := x.Apply(docs, nil, []byte("o"), 600); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(dates, func(a, b time.Time) int { return b.Compare(a) })
	newest := func(k int) (time.Time, bool) {
		if k > len(dates) {
			return time.Time{}, false
		}
		return dates[k-1], true
	}
	for _, w := range []string{"common", "weekly", "oldword", "common -weekly"} {
		q, _ := Parse(w, time.Now())
		for _, size := range []int{1, 10, 50} {
			full, err1 := x.Search(q, "", nil, size, nil)
			fast, err2 := x.Search(q, "", nil, size, newest)
			if err1 != nil || err2 != nil || !slices.Equal(full.IDs, fast.IDs) || full.Total != fast.Total || string(full.Next) != string(fast.Next) {
				t.Errorf("%q size %d: full %v (%d), windowed %v (%d) %v %v", w, size, full.IDs, full.Total, fast.IDs, fast.Total, err1, err2)
			}
		}
	}
}

// TestMarkNeverAheadOfDocuments closes the index after each round of
// batches without syncing, as a kill would leave it, at whatever point
// bleve's persister had reached, and reopens it: every id up to the
// mark it persisted must be found, since the archive's indexer starts
// again above the mark.
func TestMarkNeverAheadOfDocuments(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	q, err := Parse("common", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	next := uint64(1)
	for round := range 12 {
		x, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		_, mark, err := x.State()
		if err != nil {
			t.Fatal(err)
		}
		page, err := x.Search(q, "", nil, 100_000, nil)
		if err != nil {
			t.Fatal(err)
		}
		found := make(map[uint64]bool, len(page.IDs))
		for _, id := range page.IDs {
			found[id] = true
		}
		for id := uint64(1); id <= mark; id++ {
			if !found[id] {
				t.Fatalf("round %d: mark %d, but message %d is not in the index", round, mark, id)
			}
		}
		next = mark + 1 // the indexer starts again above the mark
		for range 3 + round%4 {
			var docs []Doc
			for range 300 {
				docs = append(docs, Doc{ID: next, Date: day("2024-01-01"), Accounts: []string{"a"}, Body: "common words here"})
				next++
			}
			if err := x.Apply(docs, nil, []byte("o"), next-1); err != nil {
				t.Fatal(err)
			}
		}
		if err := x.Close(); err != nil { // no Sync
			t.Fatal(err)
		}
	}
	if next < 2000 {
		t.Errorf("only %d messages went in: the test did too little", next-1)
	}
}

// TestSyncWritesOnlyWhatWasApplied: closing the archive syncs the index,
// which must not write to it after nothing but searches (a
// `list --search` would write the index's root every time).
func TestSyncWritesOnlyWhatWasApplied(t *testing.T) {
	x := openCorpus(t)
	batches := func() uint64 { // every batch bleve took, empty ones too
		t.Helper()
		s, err := x.current().Advanced()
		if err != nil {
			t.Fatal(err)
		}
		return atomic.LoadUint64(&s.(*scorch.Scorch).Stats().(*scorch.Stats).TotBatches)
	}
	if err := x.Sync(); err != nil { // what openCorpus applied
		t.Fatal(err)
	}
	before := batches()
	q, _ := Parse("report", time.Now())
	if _, err := x.Search(q, "", nil, 10, nil); err != nil {
		t.Fatal(err)
	}
	if err := x.Sync(); err != nil {
		t.Fatal(err)
	}
	if after := batches(); after != before {
		t.Fatalf("a Sync after nothing but a search wrote %d batches", after-before)
	}
	if err := x.Apply(nil, []uint64{1}, []byte("owner"), 7); err != nil {
		t.Fatal(err)
	}
	applied := batches()
	if err := x.Sync(); err != nil {
		t.Fatal(err)
	}
	if batches() == applied {
		t.Fatal("a Sync after Apply wrote nothing")
	}
}
