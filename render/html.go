package render

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// HTML renders an HTML body. It reads the markup with x/net/html's
// tokenizer (linear in the input, whatever its nesting) and keeps its
// own stack of open elements, closing what browsers close implicitly
// (a paragraph by the next, a list item or table cell by the next).
//
// Tables that hold data (two rows or more of two columns or more, no
// table inside) stay tables; tables used for layout, as most HTML mail's
// outer tables are, give up their cells' content in order.
func HTML(src string) *Doc {
	b := &builder{}
	if len(src) > maxInput {
		src, b.doc.Cut = src[:maxInput], true
	}
	z := html.NewTokenizer(strings.NewReader(src))
	for !b.full() {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		switch tt {
		case html.TextToken:
			if b.skip == 0 {
				b.text(html.UnescapeString(string(z.Text())))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			var attrs map[string]string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				if attrs == nil {
					attrs = map[string]string{}
				}
				attrs[string(k)] = string(v)
			}
			b.start(string(name), attrs, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			name, _ := z.TagName()
			b.end(string(name))
		}
	}
	for len(b.stack) > 0 {
		b.pop()
	}
	b.close()
	return &b.doc
}

// frame is an open element and the state to return to at its end.
type frame struct {
	name  string
	saved state
	list  *list  // ul, ol
	table *table // table
}

// state is what applies to the text at a point.
type state struct {
	style         Style
	link          string
	quote, indent int
	pre, skip     int
	heading       int
	cell          *[]Block // where blocks go inside a table cell; nil: the document
}

type list struct {
	ordered bool
	n       int
}

type table struct {
	rows   [][]*[]Block // each cell's blocks
	header [][]bool
	nested bool
}

type builder struct {
	state
	doc    Doc
	stack  []frame
	cur    *Block // the open paragraph, heading or pre, if any
	marker string // the bullet for the next block opened
	text_  int    // bytes of text kept
	cells  int
	blocks int
}

func (b *builder) full() bool {
	return b.doc.Cut && (b.text_ >= maxText || b.blocks >= maxBlocks || b.cells >= maxCells)
}

// target is where blocks go now.
func (b *builder) target() *[]Block {
	if b.cell != nil {
		return b.cell
	}
	return &b.doc.Blocks
}

// add appends a block where blocks go now, within the limits.
func (b *builder) add(bl Block) *Block {
	t := b.target()
	if b.blocks >= maxBlocks {
		b.doc.Cut = true
		return nil
	}
	b.blocks++
	bl.Quote, bl.Indent, bl.Marker = b.quote, b.indent, b.marker
	b.marker = ""
	*t = append(*t, bl)
	return &(*t)[len(*t)-1]
}

// close ends the open paragraph; one holding only spaces is dropped.
func (b *builder) close() {
	if b.cur == nil {
		return
	}
	cur := b.cur
	b.cur = nil
	if cur.Kind == Pre {
		if n := len(cur.Spans); n > 0 {
			cur.Spans[n-1].Text = strings.TrimSuffix(cur.Spans[n-1].Text, "\n")
		}
		return
	}
	// Trim the paragraph's ends.
	for len(cur.Spans) > 0 && strings.TrimSpace(cur.Spans[0].Text) == "" {
		cur.Spans = cur.Spans[1:]
	}
	for len(cur.Spans) > 0 && strings.TrimSpace(cur.Spans[len(cur.Spans)-1].Text) == "" {
		cur.Spans = cur.Spans[:len(cur.Spans)-1]
	}
	if len(cur.Spans) == 0 {
		t := b.target()
		if n := len(*t); n > 0 && &(*t)[n-1] == cur {
			if cur.Marker != "" {
				b.marker = cur.Marker // an empty first block keeps its bullet for the next
			}
			*t = (*t)[:n-1]
		}
		return
	}
	cur.Spans[0].Text = strings.TrimLeft(cur.Spans[0].Text, " ")
	last := &cur.Spans[len(cur.Spans)-1]
	last.Text = strings.TrimRight(last.Text, " \n")
}

// text adds text in the current style, collapsing white space outside
// preformatted blocks.
func (b *builder) text(s string) {
	if s == "" {
		return
	}
	if b.text_+len(s) > maxText {
		s = s[:maxText-b.text_]
		b.doc.Cut = true
	}
	if b.pre > 0 {
		if b.cur == nil || b.cur.Kind != Pre {
			b.close()
			b.cur = b.add(Block{Kind: Pre})
			if b.cur == nil {
				return
			}
			s = strings.TrimPrefix(s, "\n") // as browsers do after <pre>
		}
		b.span(strings.ReplaceAll(s, "\r\n", "\n"))
		return
	}
	fields := strings.Fields(s)
	collapsed := strings.Join(fields, " ")
	if s[0] == ' ' || s[0] == '\n' || s[0] == '\t' || s[0] == '\r' {
		collapsed = " " + collapsed
	}
	if last := s[len(s)-1]; len(fields) > 0 && (last == ' ' || last == '\n' || last == '\t' || last == '\r') {
		collapsed += " "
	}
	if collapsed == "" || collapsed == " " && b.cur == nil {
		return
	}
	if b.cur == nil {
		kind := Paragraph
		if b.heading > 0 {
			kind = Heading
		}
		b.cur = b.add(Block{Kind: kind, Level: b.heading})
		if b.cur == nil {
			return
		}
	}
	// No double space across spans.
	if strings.HasPrefix(collapsed, " ") && len(b.cur.Spans) > 0 {
		prev := b.cur.Spans[len(b.cur.Spans)-1].Text
		if strings.HasSuffix(prev, " ") || strings.HasSuffix(prev, "\n") {
			collapsed = collapsed[1:]
		}
	}
	b.span(collapsed)
}

// span appends text to the open block, merged with the last span when
// their style and link agree.
func (b *builder) span(s string) {
	if s == "" || b.cur == nil {
		return
	}
	b.text_ += len(s)
	style := b.style
	if b.cur.Kind == Pre {
		style |= Mono
	}
	if n := len(b.cur.Spans); n > 0 && b.cur.Spans[n-1].Style == style && b.cur.Spans[n-1].Link == b.link {
		b.cur.Spans[n-1].Text += s
		return
	}
	b.cur.Spans = append(b.cur.Spans, Span{Text: s, Style: style, Link: b.link})
}

// blockElements end the paragraph before and after them.
var blockElements = map[string]bool{
	"p": true, "div": true, "section": true, "article": true, "header": true, "footer": true, "main": true,
	"nav": true, "aside": true, "center": true, "address": true, "figure": true, "figcaption": true,
	"form": true, "fieldset": true, "dl": true, "dt": true, "dd": true, "details": true, "summary": true,
	"caption": true, "body": true, "html": true,
}

// voidElements have no end tag.
var voidElements = map[string]bool{
	"br": true, "img": true, "hr": true, "meta": true, "link": true, "input": true, "col": true, "area": true,
	"base": true, "wbr": true, "source": true, "embed": true, "param": true, "track": true,
}

var skipped = map[string]bool{"script": true, "style": true, "head": true, "title": true, "template": true,
	"noscript": true, "iframe": true, "object": true, "svg": true, "math": true, "select": true, "textarea": true}

func (b *builder) start(name string, attrs map[string]string, selfClosing bool) {
	if b.skip > 0 && !voidElements[name] && !selfClosing {
		b.push(name)
		return
	}
	switch name {
	case "br":
		if b.cur != nil {
			b.span("\n")
		}
		return
	case "hr":
		b.close()
		b.add(Block{Kind: Rule})
		return
	case "img":
		b.image(attrs)
		return
	}
	if voidElements[name] || selfClosing {
		return
	}
	// What a new element closes implicitly.
	switch name {
	case "p":
		b.closeOpen("p", "li", "td", "th", "table", "blockquote", "div")
	case "li":
		b.closeOpen("li", "ul", "ol")
	case "td", "th":
		b.closeOpen("td", "tr", "table")
		b.closeOpen("th", "tr", "table")
	case "tr":
		b.closeOpen("tr", "table")
	}
	if len(b.stack) >= maxDepth {
		// Too deep to follow: its text joins what is open.
		b.doc.Cut = b.doc.Cut || name == "div" || name == "table" || name == "blockquote"
		return
	}
	f := b.push(name)
	switch {
	case skipped[name]:
		b.skip++
	case blockElements[name]:
		b.close()
	case name == "h1" || name == "h2" || name == "h3" || name == "h4" || name == "h5" || name == "h6":
		b.close()
		b.heading = int(name[1] - '0')
	case name == "b" || name == "strong":
		b.style |= Bold
	case name == "i" || name == "em" || name == "cite" || name == "var" || name == "dfn":
		b.style |= Italic
	case name == "u" || name == "ins":
		b.style |= Underline
	case name == "code" || name == "tt" || name == "kbd" || name == "samp":
		b.style |= Mono
	case name == "a":
		if href := strings.TrimSpace(attrs["href"]); safeLink(href) {
			b.link = href
		}
	case name == "pre":
		b.close()
		b.pre++
	case name == "blockquote":
		b.close()
		b.quote++
	case name == "ul" || name == "ol":
		b.close()
		b.indent++
		f.list = &list{ordered: name == "ol"}
		if n, err := strconv.Atoi(attrs["start"]); err == nil && n > 0 && n < 1e6 {
			f.list.n = n - 1
		}
	case name == "li":
		b.close()
		b.marker = "•"
		if l := b.innermostList(); l != nil && l.ordered {
			l.n++
			b.marker = strconv.Itoa(l.n) + "."
		}
	case name == "table":
		b.close()
		if t := b.innermostTable(1); t != nil {
			t.nested = true
		}
		f.table = &table{}
	case name == "tr":
		b.close()
		if t := b.innermostTable(0); t != nil {
			t.rows = append(t.rows, nil)
			t.header = append(t.header, nil)
		}
	case name == "td" || name == "th":
		b.close()
		t := b.innermostTable(0)
		if t == nil {
			break
		}
		if len(t.rows) == 0 {
			t.rows, t.header = append(t.rows, nil), append(t.header, nil)
		}
		if b.cells >= maxCells {
			b.doc.Cut = true
			break
		}
		b.cells++
		cell := &[]Block{}
		r := len(t.rows) - 1
		t.rows[r] = append(t.rows[r], cell)
		t.header[r] = append(t.header[r], name == "th")
		b.cell = cell
		// A cell starts fresh: quotes and lists outside the table do not
		// reach into its content.
		b.quote, b.indent = 0, 0
	}
}

// push opens an element; the frame it returns is valid until the next
// push.
func (b *builder) push(name string) *frame {
	b.stack = append(b.stack, frame{name: name, saved: b.state})
	return &b.stack[len(b.stack)-1]
}

// closeOpen pops up to and including the innermost open element called
// name, unless one of the stoppers is open inside it.
func (b *builder) closeOpen(name string, stoppers ...string) {
	for i := len(b.stack) - 1; i >= 0; i-- {
		n := b.stack[i].name
		if n == name {
			for len(b.stack) > i {
				b.pop()
			}
			return
		}
		for _, s := range stoppers {
			if n == s {
				return
			}
		}
	}
}

func (b *builder) end(name string) {
	for i := len(b.stack) - 1; i >= 0; i-- {
		if b.stack[i].name == name {
			for len(b.stack) > i {
				b.pop()
			}
			return
		}
		// An end tag does not reach out of a table or cell it was not
		// opened outside of.
		if n := b.stack[i].name; (n == "table" || n == "td" || n == "th") && name != "table" && name != "tr" && name != "td" && name != "th" {
			return
		}
	}
}

// pop ends the innermost element and restores the state before it.
func (b *builder) pop() {
	f := b.stack[len(b.stack)-1]
	b.stack = b.stack[:len(b.stack)-1]
	switch {
	case blockElements[f.name], f.name == "pre", f.name == "blockquote", f.name == "ul", f.name == "ol", f.name == "li",
		f.name == "td", f.name == "th", f.name == "tr", f.name == "table", f.name[0] == 'h' && len(f.name) == 2 && f.name[1] >= '1' && f.name[1] <= '6':
		b.close()
	}
	b.state = f.saved
	if f.table != nil {
		b.finishTable(f.table)
	}
}

func (b *builder) innermostList() *list {
	for i := len(b.stack) - 1; i >= 0; i-- {
		if b.stack[i].list != nil {
			return b.stack[i].list
		}
		if b.stack[i].table != nil {
			return nil
		}
	}
	return nil
}

// innermostTable returns the table open nearest, skipping skip of them.
func (b *builder) innermostTable(skip int) *table {
	for i := len(b.stack) - 1; i >= 0; i-- {
		if t := b.stack[i].table; t != nil {
			if skip == 0 {
				return t
			}
			skip--
		}
	}
	return nil
}

// finishTable puts a closed table where blocks go: as a table when it
// holds data, else as its cells' content in order.
func (b *builder) finishTable(t *table) {
	cols, rows := 0, 0
	for _, r := range t.rows {
		if len(r) > 0 {
			rows++
		}
		cols = max(cols, len(r))
	}
	data := !t.nested && rows >= 2 && cols >= 2
	if data {
		for _, r := range t.rows {
			for _, c := range r {
				for _, bl := range *c {
					if bl.Kind != Paragraph && bl.Kind != Heading || len(Text(bl.Spans)) > 300 {
						data = false // a cell holding blocks or pages of text is layout
					}
				}
			}
		}
	}
	if !data {
		for _, r := range t.rows {
			for _, c := range r {
				for _, bl := range *c {
					bl.Quote += b.quote
					bl.Indent += b.indent
					*b.target() = append(*b.target(), bl) // counted when added to the cell
				}
			}
		}
		return
	}
	tb := Block{Kind: Table}
	for i, r := range t.rows {
		if len(r) == 0 {
			continue
		}
		row := make(Row, len(r))
		for j, c := range r {
			row[j].Header = t.header[i][j]
			for k, bl := range *c {
				if k > 0 {
					row[j].Spans = append(row[j].Spans, Span{Text: "\n"})
				}
				row[j].Spans = append(row[j].Spans, bl.Spans...)
			}
		}
		tb.Rows = append(tb.Rows, row)
	}
	b.add(tb)
}

// image adds a picture's placeholder: a part of the message (cid:), or a
// remote one, which is never loaded. Tracking pixels leave nothing.
func (b *builder) image(attrs map[string]string) {
	if b.skip > 0 {
		return
	}
	src := strings.TrimSpace(attrs["src"])
	if attrs["width"] == "1" || attrs["height"] == "1" || attrs["width"] == "0" || attrs["height"] == "0" {
		return
	}
	img := &Img{Src: src, Alt: strings.Join(strings.Fields(attrs["alt"]), " ")}
	switch lower := strings.ToLower(src); {
	case strings.HasPrefix(lower, "cid:"):
	case strings.HasPrefix(lower, "http:"), strings.HasPrefix(lower, "https:"), strings.HasPrefix(lower, "//"):
		img.Remote = true
	default:
		if img.Alt == "" {
			return // data: and the rest: nothing to show or say
		}
		img.Src = ""
	}
	b.close()
	b.add(Block{Kind: Image, Img: img})
}

// safeLink reports whether a link may be offered: web and mail
// addresses only, never javascript: or file:.
func safeLink(href string) bool {
	l := strings.ToLower(href)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "mailto:")
}
