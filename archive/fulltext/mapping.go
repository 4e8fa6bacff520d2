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
	fieldBody        = "body"
	fieldAttachments = "attachments"
	fieldHas         = "attachment"
)

// textFields are searched by a plain word.
var textFields = []string{fieldFrom, fieldTo, fieldSubject, fieldBody, fieldAttachments}

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

type foldFilter struct{ fold analysis.CharFilter }

func (f foldFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = f.fold.Filter(t.Term)
	}
	return in
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
	for _, name := range textFields {
		doc.AddFieldMappingsAt(name, text())
	}
	date := bleve.NewDateTimeFieldMapping()
	date.Store, date.IncludeInAll, date.DocValues = false, false, true
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
