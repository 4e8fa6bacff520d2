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
	"github.com/blevesearch/bleve/v2/analysis/token/shingle"
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

// pairsAnalyzer is analyzer followed by bleve's shingle filter, keeping
// the words too.
const (
	pairsAnalyzer = "popvault_pairs"
	pairsFilter   = "popvault_shingle"
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

func init() {
	registry.RegisterTokenFilter(foldName, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{asciifolding.New()}, nil
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
	err = m.AddCustomTokenFilter(pairsFilter, map[string]interface{}{
		"type": shingle.Name, "min": 2.0, "max": 2.0, "output_original": true, "separator": " ", "filler": "_",
	})
	if err != nil {
		panic(err)
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

	m := bleve.NewIndexMapping()
	addAnalyzer(m)
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzer
	m.IndexDynamic, m.StoreDynamic, m.DocValuesDynamic = false, false, false
	return m
}
