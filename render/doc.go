// Package render turns a message's body, HTML or plain text, into a
// document model that the window draws: paragraphs and headings (levels
// 1 to 6) of text in its emphasis (bold, italic, both, underlined,
// monospace) with links, quotes, nested lists, preformatted blocks,
// rules, tables and pictures. It is a pure function of the text it is
// given: it loads nothing, remote or local, never runs anything the mail
// carries, and bounds its output however large or deep the input.
//
// HTML is read as a browser shows it at a desktop's width: white space
// collapses but a no-break space stays; text that styles hide (a
// newsletter's preheader) is left out; tables that lay a newsletter out
// give up their cells' content to flow at the reader's width, and only
// tables of data stay tables. The pictures on the web that the body
// shows are listed (Doc.Remote) for the window to offer to load, with
// package remoteimg; until then each is its alt text, or nothing.
//
// Layout then breaks a document into lines of a given width, for a
// reader that shows them in a virtualized list.
//
// # Contents
//
//   - Reading a body: [HTML] and [PlainText] (with its [Format]), and
//     their Context forms, make a [Doc]: blocks ([Block]) of a [Kind]
//     (tables of [Row] and [Cell], pictures as [Img]) holding spans
//     ([Span]) in a [Style]; [Text] is their text.
//   - Laying it out: [Layout], [LayoutContext] and [LayoutWith] ([Options])
//     break a Doc into lines ([Line]) of segments ([Seg]); [HeadingScale]
//     sizes headings;
//     [Words] splits text for wrapping; [HasRTL] and [Visual] for
//     right-to-left text.
//   - Showing the original: [Page] makes an HTML body a safe page for the
//     browser, its pictures found by a [Part].
package render

import (
	"context"
	"fmt"
)

// Style is a span's typeface.
type Style uint8

const (
	Bold Style = 1 << iota
	Italic
	Underline
	Mono
)

// Span is a run of text in one style, a link where Link is set; or a
// picture in the text, where Img is set, with its alt text as Text.
type Span struct {
	Text  string
	Style Style
	Link  string `json:",omitempty"`
	Img   *Img   `json:",omitempty"`
}

// Kind is what a block is.
type Kind uint8

const (
	Paragraph Kind = iota
	Heading
	Pre // preformatted: line breaks and spaces kept, monospace
	Rule
	Table
	Image
)

// Block is one block of the document. Text inside a Paragraph or Heading
// may hold "\n": a line break the mail asked for. An Image block holds
// pictures that stand on their own, one or a row of them, with nothing
// else to read beside them (a logo, a banner, a row of icons): Img is
// the first, and Spans hold each as a picture span (with its link, if it
// is one). Pictures inside text are spans of their paragraph.
type Block struct {
	Kind   Kind
	Level  int    `json:",omitempty"` // a Heading's level, 1 to 6
	Quote  int    `json:",omitempty"` // how many quotes it is inside
	Indent int    `json:",omitempty"` // how many lists it is inside
	Marker string `json:",omitempty"` // a list item's bullet or number, on its first block
	Spans  []Span `json:",omitempty"`
	Rows   []Row  `json:",omitempty"` // a Table's
	Img    *Img   `json:",omitempty"` // an Image's
}

// Row is a table row.
type Row []Cell

// Cell is a table cell: its text, flattened to spans.
type Cell struct {
	Spans  []Span
	Header bool `json:",omitempty"`
}

// Img is a picture the mail refers to: its source and words for it.
// Render never loads a remote picture (Remote: on the web, over HTTP or
// HTTPS; a protocol-relative address is given its https:); cid: ones name
// a part of the message.
type Img struct {
	Src    string
	Alt    string `json:",omitempty"`
	Remote bool   `json:",omitempty"`
	// Width and Height are the size in pixels the mail gives it, 0 where
	// it gives none.
	Width  int `json:",omitempty"`
	Height int `json:",omitempty"`
}

// Doc is a rendered body.
type Doc struct {
	Blocks []Block
	// Remote lists the addresses of the pictures on the web the body
	// shows, each once, in order: what the window offers to load
	// ("12 pictures on the web not loaded"). Tracking pixels (no more than
	// 2 pixels wide or high) and hidden pictures are left out.
	Remote []string `json:",omitempty"`
	// Cut is set when the body was larger or deeper than the limits,
	// and only its beginning is here.
	Cut bool `json:",omitempty"`
}

// Limits keep a hostile or huge body from costing time and memory.
const (
	maxInput  = 2 << 20 // bytes of HTML or text read
	maxText   = 1 << 20 // bytes of text kept
	maxLines  = 100000  // line breaks kept: each is a line of the layout, and a megabyte of them would be a million
	maxBlocks = 20000
	maxCells  = 10000 // table cells, in all tables (each also a block while its table is open)
	maxDepth  = 256   // element nesting followed; deeper markup is flattened
)

// poller looks at a context now and then: often enough that a cancelled
// render stops within a millisecond or so, seldom enough to cost nothing.
type poller struct{ n int }

// every is how many steps (tokens, lines, blocks) go between two looks.
const every = 256

// check returns ctx's error, wrapped, once ctx is done.
func (p *poller) check(ctx context.Context) error {
	p.n++
	if p.n%every != 1 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("render: %w", err)
	}
	return nil
}

// Text returns the text of spans.
func Text(spans []Span) string {
	n := 0
	for _, s := range spans {
		n += len(s.Text)
	}
	b := make([]byte, 0, n)
	for _, s := range spans {
		b = append(b, s.Text...)
	}
	return string(b)
}
