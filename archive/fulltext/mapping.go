package fulltext

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/mapping"
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

// analyzer is bleve's English analyzer: Unicode word breaking, lower case,
// stop words and Porter stemming, so "meetings" finds "meeting". Words of
// other languages pass through it whole.
const analyzer = en.AnalyzerName

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
	m.DefaultMapping = doc
	m.DefaultAnalyzer = analyzer
	m.IndexDynamic, m.StoreDynamic, m.DocValuesDynamic = false, false, false
	return m
}
