package fulltext

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Query is a parsed search, ready for Index.Search and for marking its
// matches in a message's text.
type Query struct {
	must, mustNot []query.Query
	terms         map[string]bool // analyzed words to mark in text
	text          string
}

// ErrSyntax is wrapped by every error Parse returns.
var ErrSyntax = errors.New("search")

// Parse reads a query in popvault's syntax, a small Gmail:
//
//	word             every word must appear, in sender, recipients, subject, body or attachment names
//	"a phrase"       these words in this order
//	-word, -"a b"    must not appear
//	from:x to:x subject:x filename:x   x in that field; to: covers Cc too; x may be "quoted"
//	has:attachment
//	after:2024-05-01 before:2024/06/01   on or after, strictly before (local time); a month or a year works too
//	newer_than:7d older_than:2m          days, weeks, months, years back from now
//	account:name
//
// Anything else with a colon ("http://x", "re:") is a word.
func Parse(s string, now time.Time) (*Query, error) {
	q := &Query{terms: map[string]bool{}, text: s}
	for _, t := range tokenize(s) {
		c, err := q.clause(t, now)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrSyntax, t.raw, err)
		}
		if c == nil {
			continue
		}
		if t.not {
			q.mustNot = append(q.mustNot, c)
		} else {
			q.must = append(q.must, c)
		}
	}
	return q, nil
}

// Empty reports whether the query selects nothing in particular (it was
// blank, or only stop words).
func (q *Query) Empty() bool { return len(q.must) == 0 && len(q.mustNot) == 0 }

// String is the query as typed.
func (q *Query) String() string { return q.text }

// token is one term of a query: [-][key:]value, value maybe quoted.
type token struct {
	raw    string
	not    bool
	key    string
	value  string
	quoted bool
}

var keys = map[string]bool{"from": true, "to": true, "subject": true, "filename": true, "has": true,
	"before": true, "after": true, "older_than": true, "newer_than": true, "account": true}

func tokenize(s string) []token {
	var out []token
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimLeftFunc(s, unicode.IsSpace) {
		var t token
		start := s
		if len(s) > 1 && s[0] == '-' {
			t.not, s = true, s[1:]
		}
		if i := strings.IndexByte(s, ':'); i > 0 && keys[strings.ToLower(s[:i])] {
			t.key, s = strings.ToLower(s[:i]), s[i+1:]
		}
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				end = len(s) - 1
			}
			t.value, t.quoted, s = s[1:1+end], true, s[min(len(s), end+2):]
		} else {
			end := strings.IndexFunc(s, unicode.IsSpace)
			if end < 0 {
				end = len(s)
			}
			t.value, s = s[:end], s[end:]
		}
		t.raw = strings.TrimSpace(start[:len(start)-len(s)])
		if t.value == "" && t.key != "" && !t.quoted {
			t.key, t.value = "", t.raw // a lone "from:" is a word
		}
		out = append(out, t)
	}
	return out
}

// clause turns a token into a query, or nil when it holds no searchable
// word (only stop words, or punctuation).
func (q *Query) clause(t token, now time.Time) (query.Query, error) {
	switch t.key {
	case "":
		return q.textClause(t, fieldText), nil
	case "from", "to", "subject":
		return q.textClause(t, t.key), nil
	case "filename":
		return q.textClause(t, fieldAttachments), nil
	case "account":
		tq := bleve.NewTermQuery(t.value)
		tq.SetField(fieldAccount)
		return tq, nil
	case "has":
		if v := strings.ToLower(t.value); v != "attachment" && v != "attachments" {
			return nil, errors.New(`has: knows only "attachment"`)
		}
		bq := bleve.NewBoolFieldQuery(true)
		bq.SetField(fieldHas)
		return bq, nil
	case "before", "after":
		d, err := parseDate(t.value)
		if err != nil {
			return nil, err
		}
		return dateClause(t.key == "after", d), nil
	default: // older_than, newer_than
		d, err := ago(t.value, now)
		if err != nil {
			return nil, err
		}
		return dateClause(t.key == "newer_than", d), nil
	}
}

// textClause matches t in any of fields: every word for a bare value, the
// words in order for a quoted one or a field value that analyzes to
// several words (an address, a file name).
func (q *Query) textClause(t token, fields ...string) query.Query {
	words := analyze(t.value)
	if len(words) == 0 {
		return nil
	}
	if !t.not {
		for _, w := range words {
			q.terms[w] = true
		}
	}
	if t.key == "" && t.quoted {
		return phraseClause(t.value)
	}
	var any []query.Query
	for _, f := range fields {
		if t.quoted || t.key != "" {
			pq := bleve.NewMatchPhraseQuery(t.value)
			pq.SetField(f)
			any = append(any, pq)
			continue
		}
		mq := bleve.NewMatchQuery(t.value)
		mq.SetField(f)
		mq.SetOperator(query.MatchQueryOperatorAnd)
		any = append(any, mq)
	}
	if len(any) == 1 {
		return any[0]
	}
	return bleve.NewDisjunctionQuery(any...)
}

// phraseClause finds a phrase in all the text: every pair of its
// neighbouring words, as single terms of the pairs field. For two words
// (and stop words between) that is exact; for more, each pair is next to
// each other, though the pairs could in theory be apart.
func phraseClause(phrase string) query.Query {
	ps := pairs(phrase)
	if len(ps) == 0 { // one word
		mq := bleve.NewMatchQuery(phrase)
		mq.SetField(fieldText)
		return mq
	}
	var all []query.Query
	for _, p := range ps {
		tq := bleve.NewTermQuery(p)
		tq.SetField(fieldText)
		all = append(all, tq)
	}
	if len(all) == 1 {
		return all[0]
	}
	return bleve.NewConjunctionQuery(all...)
}

// dateClause is date ≥ d when from, date < d otherwise.
func dateClause(from bool, d time.Time) query.Query {
	yes, no := true, false
	var dq *query.DateRangeQuery
	if from {
		dq = bleve.NewDateRangeInclusiveQuery(d, time.Time{}, &yes, &no)
	} else {
		dq = bleve.NewDateRangeInclusiveQuery(time.Time{}, d, &no, &no)
	}
	dq.SetField(fieldDate)
	return dq
}

var dateLayouts = []string{"2006-01-02", "2006/01/02", "2006-1-2", "2006/1/2", "2006-01", "2006/01", "2006"}

// parseDate reads a day, a month or a year, as the first instant of it in
// local time.
func parseDate(s string) (time.Time, error) {
	for _, layout := range dateLayouts {
		if d, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return d, nil
		}
	}
	return time.Time{}, errors.New("wants a date like 2024-05-31, 2024/05/31, 2024-05 or 2024")
}

// ago reads "7d", "2w", "3m" or "1y" back from now.
func ago(s string, now time.Time) (time.Time, error) {
	bad := errors.New("wants a count and a unit, like 7d, 2w, 3m or 1y")
	if len(s) < 2 {
		return time.Time{}, bad
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 0 || n > 1000 {
		return time.Time{}, bad
	}
	switch strings.ToLower(s[len(s)-1:]) {
	case "d":
		return now.AddDate(0, 0, -n), nil
	case "w":
		return now.AddDate(0, 0, -7*n), nil
	case "m":
		return now.AddDate(0, -n, 0), nil
	case "y":
		return now.AddDate(-n, 0, 0), nil
	}
	return time.Time{}, bad
}

// bleveQuery is the whole query, with account (if any) as a filter.
func (q *Query) bleveQuery(account string) query.Query {
	must := q.must
	if account != "" {
		tq := bleve.NewTermQuery(account)
		tq.SetField(fieldAccount)
		must = append(must[:len(must):len(must)], tq)
	}
	if len(must) == 0 {
		must = []query.Query{bleve.NewMatchAllQuery()}
	}
	if len(q.mustNot) == 0 {
		if len(must) == 1 {
			return must[0]
		}
		return bleve.NewConjunctionQuery(must...)
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(must...)
	bq.AddMustNot(q.mustNot...)
	return bq
}
