package fulltext

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// Field names in the index.
const (
	fieldDate        = "date"
	fieldAccount     = "account"
	fieldFrom        = "from"
	fieldTo          = "to"
	fieldSubject     = "subject"
	fieldAttachments = "attachments"
	fieldHas         = "attachment"
	// fieldText holds all the text, headers and body, analyzed once into
	// its words and each pair of neighbouring words (shingles, with "_"
	// where a stop word was): a word is one term, and a phrase is a
	// conjunction of its pairs' terms, fast where a positional phrase
	// search over common words reads the positions of most documents. The
	// body is only here.
	fieldText = "text"
	// fieldOrder sorts newest first: the date and the id in fixed-width
	// hex, one term a document, which is cheaper to sort by than the date
	// field's several precision terms.
	fieldOrder = "order"
)

var headerFields = []string{fieldFrom, fieldTo, fieldSubject, fieldAttachments}

// analyzer is bleve's English analyzer (Unicode word breaking, lower
// case, stop words, Porter stemming: "meetings" finds "meeting") with
// bleve's ASCII folding after lower case, so "muller" finds "Müller" and
// "strasse" finds "Straße", as mail search does. Words of other languages
// pass through the stemmer mostly whole.
const analyzer = "popvault"

// foldName is a token filter applying bleve's asciifolding to each word.
// bleve has it only as a character filter, which would shift the offsets
// that mark matches in a text; on words, offsets stay those of the text.
const foldName = "popvault_fold"

// pairsAnalyzer is analyzer followed by pairFilter, keeping the words too.
const (
	pairsAnalyzer = "popvault_pairs"
	pairsFilter   = "popvault_pair_filter"
)

type foldFilter struct{ fold analysis.CharFilter }

func (f foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		if !isASCII(t.Term) { // most words: nothing to fold, and no garbage
			t.Term = f.fold.Filter(t.Term)
		}
	}
	return in
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// pairFilter adds, after each word, the pair of it and the word before it
// ("family dinner"), with "_" standing for each stop word left out: the
// terms of bleve's shingle filter with min and max 2 and the originals
// kept, which it builds with an allocation per pair and a ring. Here the
// pairs share one allocation for their tokens and one for their bytes:
// on the body of every message this filter made an eighth of indexing's
// CPU time, and its garbage much of the collector's.
type pairFilter struct{}

const pairSep, pairFill = ' ', '_'

func (pairFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	if len(in) == 0 {
		return in
	}
	// Count first, so that the pairs' bytes never move.
	pairs, size, pos := 0, 0, 0
	prev := -1 // length of the term before: -1 none, 1 for a filler
	for _, t := range in {
		for ; t.Position-pos > 1; pos++ {
			if prev >= 0 {
				pairs, size = pairs+1, size+prev+2
			}
			prev = 1
		}
		pos = t.Position
		if prev >= 0 {
			pairs, size = pairs+1, size+prev+1+len(t.Term)
		}
		prev = len(t.Term)
	}
	out := make(analysis.TokenStream, 0, len(in)+pairs)
	made := make([]analysis.Token, 0, pairs)
	buf := make([]byte, 0, size)
	filler := &analysis.Token{Term: []byte{pairFill}, Start: -1, End: -1}
	pair := func(a, b *analysis.Token) {
		from := len(buf)
		buf = append(buf, a.Term...)
		buf = append(buf, pairSep)
		buf = append(buf, b.Term...)
		p := analysis.Token{Type: analysis.Shingle, Term: buf[from:len(buf):len(buf)]}
		for _, x := range []*analysis.Token{a, b} {
			if x != filler {
				if p.Position == 0 {
					p.Position, p.Start = x.Position, x.Start
				}
				p.End = x.End
			}
		}
		made = append(made, p)
		out = append(out, &made[len(made)-1])
	}
	var last *analysis.Token
	pos = 0
	for _, t := range in {
		out = append(out, t)
		for ; t.Position-pos > 1; pos++ {
			if last != nil {
				pair(last, filler)
			}
			last = filler
		}
		pos = t.Position
		if last != nil {
			pair(last, t)
		}
		last = t
	}
	return out
}

func init() {
	registry.RegisterTokenFilter(foldName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{asciifolding.New()}, nil
	})
	registry.RegisterTokenFilter(pairsFilter, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return pairFilter{}, nil
	})
}

func addAnalyzer(m *mapping.IndexMappingImpl) {
	err := m.AddCustomAnalyzer(analyzer, map[string]interface{}{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{en.PossessiveName, lowercase.Name, foldName, en.StopName, porter.Name},
	})
	if err != nil {
		panic(err) // the definition above is wrong
	}
	err = m.AddCustomAnalyzer(pairsAnalyzer, map[string]interface{}{
		"type":          custom.Name,
		"tokenizer":     unicode.Name,
		"token_filters": []string{en.PossessiveName, lowercase.Name, foldName, en.StopName, porter.Name, pairsFilter},
	})
	if err != nil {
		panic(err)
	}
}

// newMapping describes a message document. Nothing is stored but what
// search needs: the archive holds the text. Term vectors (positions) are
// kept for phrase queries; there is no _all field, since a plain word is
// a disjunction over the text fields.
func newMapping() mapping.IndexMapping {
	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = true
		f.DocValues = false
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	for _, name := range headerFields {
		doc.AddFieldMappingsAt(name, text())
	}
	all := text()
	all.Analyzer, all.IncludeTermVectors = pairsAnalyzer, false // phrases use pairs
	doc.AddFieldMappingsAt(fieldText, all)
	order := bleve.NewKeywordFieldMapping()
	order.Store, order.IncludeInAll, order.IncludeTermVectors, order.DocValues = false, false, false, true
	doc.AddFieldMappingsAt(fieldOrder, order)
	date := bleve.NewDateTimeFieldMapping()
	date.Store, date.IncludeInAll, date.DocValues = false, false, false
	doc.AddFieldMappingsAt(fieldDate, date)
	acct := bleve.NewKeywordFieldMapping()
	acct.Analyzer = keyword.Name
	acct.Store, acct.IncludeInAll, acct.DocValues, acct.IncludeTermVectors = false, false, false, false
	doc.AddFieldMappingsAt(fieldAccount, acct)
	has := bleve.NewBooleanFieldMapping()
	has.Store, has.IncludeInAll, has.DocValues = false, false, false
	doc.AddFieldMappingsAt(fieldHas, has)

	// No _all field either: bleve adds an empty one to every document,
	// which costs a field's work each time a segment is built.
	doc.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())

	m := bleve.NewIndexMapping()
	addAnalyzer(m)
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzer
	m.IndexDynamic, m.StoreDynamic, m.DocValuesDynamic = false, false, false
	return m
}
