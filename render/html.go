package render

import (
	"context"
	"strconv"
	"strings"
	"unicode"

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
	d, _ := HTMLContext(context.Background(), src)
	return d
}

// HTMLContext is HTML that gives up when ctx is done, returning ctx's
// error (wrapped) and no document: a reader cancels ctx when another
// message is opened.
func HTMLContext(ctx context.Context, src string) (*Doc, error) {
	b := &builder{}
	if len(src) > maxInput {
		src, b.doc.Cut = src[:maxInput], true
	}
	var poll poller
	z := html.NewTokenizer(strings.NewReader(src))
	for !b.full() {
		if err := poll.check(ctx); err != nil {
			return nil, err
		}
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		switch tt {
		case html.TextToken:
			switch {
			case b.inStyle:
				b.sheet.add(string(z.Text()))
			case b.skip == 0 && !b.zeroFont:
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
	return &b.doc, nil
}

// frame is an open element and the state to return to at its end.
type frame struct {
	name  string
	saved state
	list  *list  // ul, ol
	table *table // table
	// near holds, for each scope, the index in the stack of the nearest
	// frame at or below this one that the scope stops at (-1: none), and
	// below the index of the nearest frame below of the same name: what
	// the rules for tags look for, found without walking the stack (which
	// made each tag cost the depth of the markup).
	near  [scopes]int
	below int
}

// A scope is the set of elements that a rule for tags looks for: the
// element it closes and those it does not reach past.
type scope uint8

const (
	pScope     scope = iota // a new p closes the open p, unless one of these is nearer
	liScope                 // a new li closes the open li within its list
	tdScope                 // a new td or th closes the open td within its row
	thScope                 // ... and the open th
	trScope                 // a new tr closes the open tr within its table
	cellScope               // an end tag does not reach out of a table or cell
	listScope               // the list a li numbers
	tableScope              // the table a row or cell belongs to
	scopes
)

// inScope tells which scopes stop at an element by its name (the list
// and table scopes stop at the frames that hold a list or table).
func inScope(name string) (in [scopes]bool) {
	switch name {
	case "p":
		in[pScope] = true
	case "li":
		in[pScope], in[liScope] = true, true
	case "ul", "ol":
		in[liScope] = true
	case "td":
		in[pScope], in[tdScope], in[cellScope] = true, true, true
	case "th":
		in[pScope], in[thScope], in[cellScope] = true, true, true
	case "tr":
		in[tdScope], in[thScope], in[trScope] = true, true, true
	case "table":
		in[pScope], in[tdScope], in[thScope], in[trScope], in[cellScope] = true, true, true, true, true
	case "blockquote", "div":
		in[pScope] = true
	}
	return in
}

// state is what applies to the text at a point.
type state struct {
	style         Style
	link          string
	quote, indent int
	pre, skip     int
	heading       int
	cell          *[]Block // where blocks go inside a table cell; nil: the document
	// zeroFont: the text here is in a font of size zero, which newsletters
	// use to hide text, and to close the gaps between columns: a size set
	// inside shows text again.
	zeroFont bool
	inStyle  bool // inside a <style> element: its text is CSS
}

type list struct {
	ordered bool
	n       int
}

type table struct {
	rows   [][]*[]Block // each cell's blocks
	header [][]bool
	nested bool
	layout bool // marked as layout: role="presentation", or as wide as a whole email
}

type builder struct {
	state
	doc    Doc
	stack  []frame
	open   map[string]int // each name's innermost open element: its index in the stack, plus one
	cur    *Block         // the open paragraph, heading or pre, if any
	tail   []byte         // the text of cur's last span, kept here until cur closes
	marker string         // the bullet for the next block opened
	text_  int            // bytes of text kept
	lines  int            // line breaks kept
	cells  int
	blocks int
	sheet  sheet           // the rules of the <style> elements read so far
	remote map[string]bool // the pictures on the web in doc.Remote
}

func (b *builder) full() bool {
	return b.doc.Cut && (b.text_ >= maxText || b.blocks >= maxBlocks || b.cells >= maxCells || b.lines >= maxLines)
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

// close ends the open paragraph; one holding only spaces is dropped, and
// one holding only pictures becomes a picture block for each.
func (b *builder) close() {
	if b.cur == nil {
		return
	}
	b.flush()
	cur := b.cur
	b.cur = nil
	if cur.Kind == Pre {
		if n := len(cur.Spans); n > 0 {
			cur.Spans[n-1].Text = strings.TrimSuffix(cur.Spans[n-1].Text, "\n")
		}
		return
	}
	// Trim the paragraph's ends.
	for len(cur.Spans) > 0 && cur.Spans[0].Img == nil && blank(cur.Spans[0].Text) {
		cur.Spans = cur.Spans[1:]
	}
	for len(cur.Spans) > 0 && cur.Spans[len(cur.Spans)-1].Img == nil && blank(cur.Spans[len(cur.Spans)-1].Text) {
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
	if b.onlyPictures(cur) {
		return
	}
	if first := &cur.Spans[0]; first.Img == nil {
		first.Text = strings.TrimLeftFunc(first.Text, invisible)
	}
	if last := &cur.Spans[len(cur.Spans)-1]; last.Img == nil {
		last.Text = strings.TrimRightFunc(last.Text, func(r rune) bool { return r == '\n' || invisible(r) })
	}
}

// onlyPictures makes a paragraph that holds pictures and nothing else
// to read (a logo, a banner, a row of icons) an Image block, and reports
// whether it did.
func (b *builder) onlyPictures(cur *Block) bool {
	var pics []Span
	for _, s := range cur.Spans {
		switch {
		case s.Img != nil:
			pics = append(pics, s)
		case !blank(s.Text):
			return false
		}
	}
	// The paragraph becomes the pictures' block, in its place.
	cur.Kind, cur.Img, cur.Spans = Image, pics[0].Img, pics
	return true
}

// invisible tells the characters that show nothing at a paragraph's
// ends: white space, no-break spaces, and the zero-width characters that
// preheaders pad with (U+034F, U+200B to U+200D, U+2060, U+FEFF, U+00AD).
func invisible(r rune) bool {
	switch r {
	case 0x34f, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff, 0xad:
		return true
	}
	return unicode.IsSpace(r)
}

// blank reports whether s shows nothing.
func blank(s string) bool { return strings.TrimFunc(s, invisible) == "" }

// text adds text in the current style, collapsing white space outside
// preformatted blocks as browsers do: a run of spaces, tabs and line
// breaks is one space, and a no-break space (&nbsp;) is not white space
// there: it stays, as wide as a space, and joins the words beside it.
func (b *builder) text(s string) {
	if s == "" {
		return
	}
	if b.text_+len(s) > maxText {
		s = cutAt(s, maxText-b.text_)
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
	collapsed := collapse(s)
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
	if strings.HasPrefix(collapsed, " ") {
		if last := b.lastByte(); last == ' ' || last == '\n' {
			collapsed = collapsed[1:]
		}
	}
	b.span(collapsed)
}

// collapse makes each run of HTML's white space (space, tab, line feed,
// form feed, carriage return) one space; no other character is white
// space to HTML.
func collapse(s string) string {
	i := 0
	for i < len(s) && !isHTMLSpace(s[i]) {
		i++
	}
	if i == len(s) {
		return s
	}
	out := make([]byte, 0, len(s))
	space := false
	for j := 0; j < len(s); j++ {
		if isHTMLSpace(s[j]) {
			space = true
			continue
		}
		if space {
			out = append(out, ' ')
			space = false
		}
		out = append(out, s[j])
	}
	if space {
		out = append(out, ' ')
	}
	return string(out)
}

func isHTMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// span appends text to the open block, merged with the last span when
// their style and link agree. The last span's text grows in b.tail, not
// by string concatenation, which copies all of it each time: mail that
// puts an empty element between every letter would cost the square of
// its length.
func (b *builder) span(s string) {
	if s == "" || b.cur == nil {
		return
	}
	if n := strings.Count(s, "\n"); n > 0 {
		if b.lines+n > maxLines {
			s = s[:nthIndex(s, '\n', maxLines-b.lines)]
			n = maxLines - b.lines
			b.doc.Cut = true
		}
		b.lines += n
	}
	b.text_ += len(s)
	style := b.style
	if b.cur.Kind == Pre {
		style |= Mono
	}
	if n := len(b.cur.Spans); n > 0 && b.cur.Spans[n-1].Style == style && b.cur.Spans[n-1].Link == b.link && b.cur.Spans[n-1].Img == nil {
		b.tail = append(b.tail, s...)
		return
	}
	b.flush()
	b.cur.Spans = append(b.cur.Spans, Span{Style: style, Link: b.link})
	b.tail = append(b.tail, s...)
}

// nthIndex is the index of the n+1th c in s (counting from 0: n of them
// before it), or len(s).
func nthIndex(s string, c byte, n int) int {
	i := 0
	for ; n >= 0; n-- {
		j := strings.IndexByte(s[i:], c)
		if j < 0 {
			return len(s)
		}
		i += j + 1
	}
	return i - 1
}

// flush stores the text kept in b.tail in the open block's last span.
func (b *builder) flush() {
	if b.cur != nil && len(b.cur.Spans) > 0 && len(b.tail) > 0 {
		b.cur.Spans[len(b.cur.Spans)-1].Text += string(b.tail)
	}
	b.tail = b.tail[:0]
}

// lastByte is the last byte of the open block's text, or 0.
func (b *builder) lastByte() byte {
	if n := len(b.tail); n > 0 {
		return b.tail[n-1]
	}
	if n := len(b.cur.Spans); n > 0 {
		if t := b.cur.Spans[n-1].Text; t != "" {
			return t[len(t)-1]
		}
	}
	return 0
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
	void := voidElements[name] || selfClosing
	if b.skip == 0 {
		switch name {
		case "br":
			if b.cur != nil && !b.zeroFont {
				b.span("\n")
			}
			return
		case "hr":
			if lk := b.look(name, attrs); !lk.hidden {
				b.close()
				b.add(Block{Kind: Rule})
			}
			return
		case "img":
			b.image(attrs)
			return
		}
	}
	if void {
		return
	}
	// What a new element closes implicitly: inside hidden markup too, as
	// a browser does (the next cell after a hidden one is not inside it).
	switch name {
	case "p":
		b.closeIn(pScope, "p")
	case "li":
		b.closeIn(liScope, "li")
	case "td", "th":
		b.closeIn(tdScope, "td")
		b.closeIn(thScope, "th")
	case "tr":
		b.closeIn(trScope, "tr")
	}
	if len(b.stack) >= maxDepth {
		// Too deep to follow: its text joins what is open.
		b.doc.Cut = b.doc.Cut || b.skip == 0 && (name == "div" || name == "table" || name == "blockquote")
		return
	}
	f := b.push(name)
	if name == "style" {
		b.inStyle = true
	}
	if b.skip > 0 {
		return
	}
	if skipped[name] {
		b.skip++
		return
	}
	lk := b.look(name, attrs)
	if lk.hidden {
		b.skip++
		return
	}
	b.restyle(lk)
	switch {
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
		f.near[listScope] = len(b.stack) - 1
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
		f.table = &table{layout: layoutTable(attrs)}
		f.near[tableScope] = len(b.stack) - 1
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
	i := len(b.stack)
	f := frame{name: name, saved: b.state, below: b.open[name] - 1}
	in := inScope(name)
	for k := range f.near {
		switch {
		case in[k]:
			f.near[k] = i
		case i > 0:
			f.near[k] = b.stack[i-1].near[k]
		default:
			f.near[k] = -1
		}
	}
	if b.open == nil {
		b.open = map[string]int{}
	}
	b.open[name] = i + 1
	b.stack = append(b.stack, f)
	return &b.stack[i]
}

// nearest is the index of the innermost open frame that sc stops at, or
// -1.
func (b *builder) nearest(sc scope) int {
	if len(b.stack) == 0 {
		return -1
	}
	return b.stack[len(b.stack)-1].near[sc]
}

// closeIn pops up to and including the innermost open element called
// name, when it is the nearest that sc stops at.
func (b *builder) closeIn(sc scope, name string) {
	if i := b.nearest(sc); i >= 0 && b.stack[i].name == name {
		b.popTo(i)
	}
}

// popTo pops the frames from the top down to and including frame i.
func (b *builder) popTo(i int) {
	for len(b.stack) > i {
		b.pop()
	}
}

func (b *builder) end(name string) {
	i := b.open[name] - 1
	if i < 0 {
		return
	}
	// An end tag does not reach out of a table or cell it was not
	// opened outside of.
	if name != "table" && name != "tr" && name != "td" && name != "th" && i < b.nearest(cellScope) {
		return
	}
	b.popTo(i)
}

// pop ends the innermost element and restores the state before it.
func (b *builder) pop() {
	f := b.stack[len(b.stack)-1]
	b.stack = b.stack[:len(b.stack)-1]
	if f.below >= 0 {
		b.open[f.name] = f.below + 1
	} else {
		delete(b.open, f.name)
	}
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
	if l := b.nearest(listScope); l >= 0 && l > b.nearest(tableScope) {
		return b.stack[l].list
	}
	return nil
}

// innermostTable returns the table open nearest, skipping skip of them.
func (b *builder) innermostTable(skip int) *table {
	i := b.nearest(tableScope)
	for ; skip > 0 && i > 0; skip-- {
		i = b.stack[i-1].near[tableScope]
	}
	if i < 0 || skip > 0 {
		return nil
	}
	return b.stack[i].table
}

// layoutTable reports whether a table's attributes say it is for
// layout: role="presentation" (or "none"), or a width in pixels meant
// for a whole email (mail is laid out for about 600 pixels).
func layoutTable(attrs map[string]string) bool {
	if role := strings.ToLower(strings.TrimSpace(attrs["role"])); role == "presentation" || role == "none" {
		return true
	}
	w, ok := pixels(strings.TrimSpace(attrs["width"]))
	return ok && w >= 400
}

// finishTable puts a closed table where blocks go: as a table when it
// holds data, else as its cells' content in order, to flow at the
// reader's width as the rest of the text does.
//
// A table holds data when nothing marks it as layout, no table is inside
// it, two rows or more have two cells or more, most of its rows do, and
// its cells hold short paragraphs only: no headings, pictures, lists or
// pages of text. Newsletters lay themselves out with tables: a row of
// one cell, a footer with one row of two, are layout.
func (b *builder) finishTable(t *table) {
	rows, wide := 0, 0
	for _, r := range t.rows {
		if len(r) > 0 {
			rows++
		}
		if len(r) >= 2 {
			wide++
		}
	}
	data := !t.nested && !t.layout && wide >= 2 && 2*wide >= rows
	if data {
		for _, r := range t.rows {
			for _, c := range r {
				for _, bl := range *c {
					if bl.Kind != Paragraph || bl.Indent > 0 || len(Text(bl.Spans)) > 300 {
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

// look is what the style sheets' rules and the style attribute say of
// an element, the attribute last; and the hidden attribute.
func (b *builder) look(name string, attrs map[string]string) look {
	lk := newLook()
	if len(attrs) == 0 {
		return lk
	}
	if _, ok := attrs["hidden"]; ok {
		lk.hidden = true
	}
	if len(b.sheet.rules) > 0 {
		apply := func(sel string) {
			for _, d := range b.sheet.rules[sel] {
				lk.apply(d)
			}
		}
		for _, c := range strings.Fields(attrs["class"]) {
			apply("." + c)
			apply(name + "." + c)
		}
		if id := strings.TrimSpace(attrs["id"]); id != "" {
			apply("#" + id)
			apply(name + "#" + id)
		}
	}
	if style := attrs["style"]; style != "" {
		inline(style, lk.apply)
	}
	return lk
}

// restyle applies what an element's styles say to the text inside it.
func (b *builder) restyle(lk look) {
	switch lk.zeroFont {
	case 1:
		b.zeroFont = true
	case -1:
		b.zeroFont = false
	}
	for _, s := range []struct {
		on    int8
		style Style
	}{{lk.bold, Bold}, {lk.italic, Italic}, {lk.underline, Underline}} {
		switch s.on {
		case 1:
			b.style |= s.style
		case -1:
			b.style &^= s.style
		}
	}
}

// maxRemote bounds the pictures on the web a document lists.
const maxRemote = 500

// image puts a picture in the text: a part of the message (cid:), or one
// on the web, which render never loads but lists in doc.Remote. A
// tracking pixel (no more than 2 pixels wide or high) and a hidden
// picture leave nothing, and are not listed.
func (b *builder) image(attrs map[string]string) {
	lk := b.look("img", attrs)
	if lk.hidden {
		return
	}
	w, h := lk.width, lk.height
	if n, ok := pixels(strings.TrimSpace(attrs["width"])); ok && w < 0 {
		w = n
	}
	if n, ok := pixels(strings.TrimSpace(attrs["height"])); ok && h < 0 {
		h = n
	}
	if w >= 0 && w <= 2 || h >= 0 && h <= 2 {
		return
	}
	src := strings.TrimSpace(attrs["src"])
	img := &Img{Src: src, Alt: strings.Join(strings.Fields(attrs["alt"]), " ")}
	if w > 0 && w < 1e5 {
		img.Width = int(w)
	}
	if h > 0 && h < 1e5 {
		img.Height = int(h)
	}
	switch lower := strings.ToLower(src); {
	case strings.HasPrefix(lower, "cid:"):
	case strings.HasPrefix(lower, "//"):
		img.Src = "https:" + src // as a page served over HTTPS reads it
		img.Remote = true
	case strings.HasPrefix(lower, "http:"), strings.HasPrefix(lower, "https:"):
		img.Remote = true
	default:
		if img.Alt == "" {
			return // data: and the rest: nothing to show or say
		}
		img.Src = ""
	}
	if img.Remote && !b.remote[img.Src] && len(b.doc.Remote) < maxRemote {
		if b.remote == nil {
			b.remote = map[string]bool{}
		}
		b.remote[img.Src] = true
		b.doc.Remote = append(b.doc.Remote, img.Src)
	}
	if b.cur == nil || b.cur.Kind == Pre {
		b.close()
		kind := Paragraph
		if b.heading > 0 {
			kind = Heading
		}
		if b.cur = b.add(Block{Kind: kind, Level: b.heading}); b.cur == nil {
			return
		}
	}
	b.flush()
	b.cur.Spans = append(b.cur.Spans, Span{Text: img.Alt, Style: b.style, Link: b.link, Img: img})
	b.text_ += len(img.Alt)
}

// safeLink reports whether an element's href makes it a link: a web or
// mail address (Openable), or an address with no scheme at all, which a
// browser also draws as a link (a template's unfilled "{{billing_url}}",
// a page's "/account", "#top") but that leads nowhere from a mail. An
// address in any other scheme (javascript:, file:, data:) stays text.
func safeLink(href string) bool {
	return Openable(href) || !hasScheme(href)
}

// Openable reports whether a link's address can be handed to a browser
// or a mail program: http:, https: and mailto: only.
func Openable(link string) bool {
	l := strings.ToLower(link)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "mailto:")
}

// hasScheme reports whether href begins with a scheme, read as a browser
// does (the URL Standard): tabs and line breaks inside it dropped, so
// "java\tscript:" is javascript:, then letters, digits, "+", "-" or "."
// after a first letter, up to a colon.
func hasScheme(href string) bool {
	href = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, strings.TrimLeftFunc(href, func(r rune) bool { return r <= ' ' }))
	for i, r := range href {
		switch {
		case r == ':':
			return i > 0
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return false
}
