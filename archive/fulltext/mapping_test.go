package fulltext

import (
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/shingle"
)

// The index's pairs are bleve's shingles of two, words kept, "_" for a
// stop word: the same terms, from the same words.
func TestPairsAreShingles(t *testing.T) {
	want := shingle.NewShingleFilter(2, 2, true, " ", "_")
	for _, text := range []string{
		"",
		"word",
		"family dinner",
		"the family dinner",                 // a gap before the first word
		"the the family dinner",             // two
		"dinner of the family at the hotel", // gaps inside
		"report quarterly the numbers, not the quarterly report",
		"Grüße aus München, the end of it",
		"a",        // nothing but a stop word
		"ship it.", // possessives and punctuation
		"the meeting's agenda and the and the end",
	} {
		t.Run(text, func(t *testing.T) {
			words := analysisMapping().AnalyzerNamed(analyzer).Analyze([]byte(text))
			got := pairFilter{}.Filter(copyTokens(words))
			exp := want.Filter(copyTokens(words))
			if g, e := describe(got), describe(exp); g != e {
				t.Errorf("pairs\n got %s\nwant %s", g, e)
			}
		})
	}
}

func copyTokens(in analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, len(in))
	for i, t := range in {
		c := *t
		out[i] = &c
	}
	return out
}

func describe(ts analysis.TokenStream) string {
	s := ""
	for _, t := range ts {
		s += fmt.Sprintf("[%q %d %d-%d %v] ", t.Term, t.Position, t.Start, t.End, t.Type)
	}
	return s
}
