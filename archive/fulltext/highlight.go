package fulltext

import (
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/mapping"
)

// analysisMapping is the index's mapping, for its analyzers outside an
// index: to mark matches in a message the way the index found them
// ("meetings" marks "meeting"), and to split a phrase into pairs. It is
// made on first use, after init has registered the fold filter.
var analysisMapping = sync.OnceValue(func() *mapping.IndexMappingImpl {
	return newMapping().(*mapping.IndexMappingImpl)
})

func textAnalyzer() analysis.Analyzer { return analysisMapping().AnalyzerNamed(analyzer) }

// analyze returns the index terms of s.
func analyze(s string) []string {
	var out []string
	for _, t := range textAnalyzer().Analyze([]byte(s)) {
		out = append(out, string(t.Term))
	}
	return out
}

// pairs returns the neighbouring-word pairs of a phrase.
func pairs(s string) []string {
	var out []string
	for _, t := range analysisMapping().AnalyzerNamed(pairsAnalyzer).Analyze([]byte(s)) {
		if t.Type == analysis.Shingle {
			out = append(out, string(t.Term))
		}
	}
	return out
}

// Span is a match in a text: its byte offsets.
type Span struct{ Start, End int }

// Spans returns where text holds the query's words, in order. A long text
// is searched only up to limit bytes (0: all).
func (q *Query) Spans(text string, limit int) []Span {
	if len(q.terms) == 0 {
		return nil
	}
	if limit > 0 && len(text) > limit {
		text = text[:limit]
	}
	var out []Span
	for _, t := range textAnalyzer().Analyze([]byte(text)) {
		if q.terms[string(t.Term)] {
			out = append(out, Span{t.Start, t.End})
		}
	}
	return out
}

// Snippet returns about width characters of text around the first match,
// on one line, with the matches in spans relative to the snippet. With no
// match it returns the text's start.
func (q *Query) Snippet(text string, width int) (string, []Span) {
	const scan = 256 << 10 // matches further in are not worth the time
	spans := q.Spans(text, scan)
	start := 0
	if len(spans) > 0 {
		start = spans[0].Start
		for back := 0; start > 0 && back < width/3; back++ {
			_, n := utf8.DecodeLastRuneInString(text[:start])
			start -= n
		}
	}
	end := start
	for n := 0; end < len(text) && n < width; n++ {
		_, size := utf8.DecodeRuneInString(text[end:])
		end += size
	}
	var rel []Span
	for _, s := range spans {
		if s.Start >= start && s.End <= end {
			rel = append(rel, Span{s.Start - start, s.End - start})
		}
	}
	snip := text[start:end]
	// Keep offsets valid: replace line breaks and tabs byte for byte.
	snip = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, snip)
	if start > 0 {
		snip = "…" + snip
		for i := range rel {
			rel[i].Start += len("…")
			rel[i].End += len("…")
		}
	}
	if end < len(text) {
		snip += "…"
	}
	return snip, rel
}
