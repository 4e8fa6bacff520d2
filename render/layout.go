package render

import (
	"bytes"
	"context"
	"strings"
	"unicode/utf8"
)

// Line is one line of a laid-out document: what the reader's virtualized
// list shows in one row.
type Line struct {
	Kind   Kind // Paragraph for text (and blank lines), Heading, Pre, Rule, Table (a row's line), Image
	Level  int  // a Heading's level
	Quote  int  // quote bars to draw on the left
	Indent int  // columns to leave empty after them (lists)
	Segs   []Seg
	Img    *Img // an Image line's picture
}

// Seg is styled text on a line, starting at column Col after the
// indent. A segment with Tab set starts at its column (the first on a
// line, table cells, the text after a list item's bullet); others follow
// the one before, as wide as their text is drawn.
type Seg struct {
	Text  string
	Style Style
	Link  string
	Col   int
	Tab   bool
}

// Text is a line's text, its segments joined.
func (l Line) Text() string {
	var b strings.Builder
	for _, s := range l.Segs {
		b.WriteString(s.Text)
	}
	return b.String()
}

const listIndent = 3 // columns per list level

// Layout breaks d into lines of at most width columns (characters),
// with a blank line between blocks but not between a list's items. No
// picture from the web is shown: see LayoutWith.
func Layout(d *Doc, width int) []Line {
	lines, _ := LayoutWith(context.Background(), d, width, Options{})
	return lines
}

// LayoutContext is Layout that gives up when ctx is done, returning
// ctx's error (wrapped) and no lines: a reader cancels ctx when the width
// changes again or another message is opened.
func LayoutContext(ctx context.Context, d *Doc, width int) ([]Line, error) {
	return LayoutWith(ctx, d, width, Options{})
}

// Options change how a document is laid out; the zero value shows no
// picture from the web.
type Options struct {
	// Loaded reports whether the window holds the picture on the web at
	// src, loaded because the person asked: it then gets a line of its
	// own, as the message's own (cid:) pictures always do, for the window
	// to draw it there. Nil: none is. A picture on the web that is not
	// loaded takes no line: it is its alt text, in italics, where that
	// says something, and else nothing.
	Loaded func(src string) bool
}

// drawn reports whether a picture gets a line of its own: the message's
// own always (the window draws it there, or its placeholder), one on the
// web when loaded.
func (o Options) drawn(img *Img) bool {
	return !img.Remote && img.Src != "" || img.Remote && o.Loaded != nil && o.Loaded(img.Src)
}

// LayoutWith is LayoutContext with options.
func LayoutWith(ctx context.Context, d *Doc, width int, opts Options) ([]Line, error) {
	width = max(width, 20)
	var out []Line
	var poll poller
	var prev *Block // the last block that gave lines
	for i := range d.Blocks {
		if err := poll.check(ctx); err != nil {
			return nil, err
		}
		b := &d.Blocks[i]
		lines := blockLines(b, width, opts)
		if len(lines) == 0 {
			continue
		}
		if prev != nil && !(b.Indent > 0 && prev.Indent > 0) {
			out = append(out, Line{Quote: min(b.Quote, prev.Quote)})
		}
		out = append(out, lines...)
		prev = b
	}
	return out, nil
}

// blockLines lays out one block.
func blockLines(b *Block, width int, opts Options) []Line {
	w := max(10, width-b.Quote*2-b.Indent*listIndent)
	if b.Kind == Heading {
		w = max(10, int(float32(w)/HeadingScale(b.Level))) // drawn larger or smaller: fewer or more fit
	}
	base := Line{Kind: b.Kind, Level: b.Level, Quote: b.Quote, Indent: b.Indent * listIndent}
	var out []Line
	switch b.Kind {
	case Rule:
		out = append(out, base)
	case Image:
		// Its pictures as a paragraph of them: each drawn on a line of its
		// own, the others their alt text on lines they share.
		p := *b
		p.Kind = Paragraph
		if len(p.Spans) == 0 {
			p.Spans = []Span{{Text: b.Img.Alt, Img: b.Img}}
		}
		return blockLines(&p, width, opts)
	case Table:
		out = append(out, tableLines(*b, base, w)...)
	default:
		hang := 0
		if b.Marker != "" {
			hang = utf8.RuneCountInString(b.Marker) + 1
		}
		text := func(spans []Span) {
			for _, segs := range wrap(spans, w-hang, b.Kind == Pre) {
				l := base
				for k := range segs {
					segs[k].Col += hang
				}
				if len(segs) > 0 {
					segs[0].Tab = true
				}
				if len(out) == 0 && b.Marker != "" {
					segs = append([]Seg{{Text: b.Marker, Tab: true}}, segs...)
				}
				l.Segs = segs
				out = append(out, l)
			}
		}
		var run []Span // text up to the next picture drawn on its own line
		spans := inlinePictures(b.Spans, opts)
		for _, s := range spans {
			if s.Img == nil {
				run = append(run, s)
				continue
			}
			if len(run) > 0 {
				text(run)
				run = nil
			}
			l := base
			l.Kind, l.Img = Image, s.Img
			l.Segs = []Seg{{Text: imageText(s.Img), Style: Italic, Link: s.Link, Tab: true, Col: hang}}
			out = append(out, l)
		}
		// A block of nothing but pictures that say nothing has no line.
		if len(run) > 0 || len(out) == 0 && (len(spans) > 0 || len(b.Spans) == 0) {
			text(run)
		}
	}
	return out
}

// inlinePictures returns spans with each picture that is not drawn on
// its own line made its alt text, in italics and apart from the words
// beside it, or dropped where its alt text says nothing. Pictures drawn
// stay as they are.
func inlinePictures(spans []Span, opts Options) []Span {
	has := false
	for _, s := range spans {
		if s.Img != nil {
			has = true
			break
		}
	}
	if !has {
		return spans
	}
	out := make([]Span, 0, len(spans)+2)
	apart := false // the next text must begin with a space
	for _, s := range spans {
		switch {
		case s.Img == nil:
			if apart && s.Text != "" && !strings.HasPrefix(s.Text, " ") && !strings.HasPrefix(s.Text, "\n") {
				out = append(out, Span{Text: " "})
			}
			apart = false
			out = append(out, s)
		case opts.drawn(s.Img):
			apart = false
			out = append(out, s)
		case worthShowing(s.Img.Alt):
			if n := len(out); n > 0 && out[n-1].Img == nil && out[n-1].Text != "" &&
				!strings.HasSuffix(out[n-1].Text, " ") && !strings.HasSuffix(out[n-1].Text, "\n") {
				out = append(out, Span{Text: " "})
			}
			out = append(out, Span{Text: s.Img.Alt, Style: s.Style | Italic, Link: s.Link})
			apart = true
		}
	}
	return out
}

// worthShowing reports whether a picture's alt text says something: not
// empty, not a file's name, not a word that only says it is a picture.
func worthShowing(alt string) bool {
	a := strings.ToLower(strings.Trim(alt, " .-_|*·•[]()"))
	switch a {
	case "", "image", "img", "picture", "photo", "spacer", "pixel", "icon", "logo", "banner", "divider", "blank":
		return false
	}
	for _, ext := range []string{".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp"} {
		if strings.HasSuffix(a, ext) {
			return false
		}
	}
	return true
}

// imageText is what stands for a picture drawn on its own line, until it
// is drawn or where it cannot be.
func imageText(img *Img) string {
	what := "picture"
	if img.Alt != "" {
		what += ": " + img.Alt
	}
	return "[" + what + "]"
}

// wrap breaks spans into lines of at most width runes, at spaces where
// it can and inside a word where it must; "\n" always breaks. pre keeps
// spaces as they are and breaks only at "\n" and the width.
func wrap(spans []Span, width int, pre bool) [][]Seg {
	w := wrapper{width: max(width, 1), pre: pre}
	for _, s := range spans {
		for i, part := range strings.Split(s.Text, "\n") {
			if i > 0 {
				w.newline()
			}
			for part != "" {
				var word string
				word, part = nextWord(part, pre)
				w.word(word, s)
			}
		}
	}
	if len(w.line) > 0 || len(w.lines) == 0 {
		w.newline()
	}
	return w.lines
}

// wrapper fills lines for wrap.
type wrapper struct {
	width int
	pre   bool
	lines [][]Seg
	line  []Seg  // the line being filled
	text  []byte // the text of its last segment, until the segment ends
	col   int
}

// word puts a word, or the spaces between words, on the line, breaking
// the line before it or inside it where it does not fit.
func (w *wrapper) word(word string, s Span) {
	n := utf8.RuneCountInString(word)
	if w.col+n > w.width && w.col > 0 {
		if word == " " {
			return
		}
		w.newline()
		if !w.pre {
			word = strings.TrimLeft(word, " ")
			n = utf8.RuneCountInString(word)
		}
	}
	for n > w.width { // a word longer than the line
		k := max(w.width-w.col, 1)
		cut := byteIndex(word, k)
		w.put(word[:cut], s)
		w.newline()
		word = word[cut:]
		n -= k // counting the rest again would cost the square of a long word
	}
	if word != "" && !(w.col == 0 && word == " " && !w.pre) {
		w.put(word, s)
	}
}

// put adds text to the line, in the last segment where its style and
// link agree. The segment's text grows in w.text, not by string
// concatenation, which would copy the whole segment for each word.
func (w *wrapper) put(text string, s Span) {
	if n := len(w.line); n == 0 || w.line[n-1].Style != s.Style || w.line[n-1].Link != s.Link {
		w.end()
		w.line = append(w.line, Seg{Style: s.Style, Link: s.Link, Col: w.col})
	}
	w.text = append(w.text, text...)
	w.col += utf8.RuneCountInString(text)
}

// end stores the text of the line's last segment.
func (w *wrapper) end() {
	if n := len(w.line); n > 0 {
		w.line[n-1].Text = string(w.text)
	}
	w.text = w.text[:0]
}

func (w *wrapper) newline() {
	if !w.pre {
		w.text = bytes.TrimRight(w.text, " ")
	}
	w.end()
	w.lines = append(w.lines, w.line)
	w.line, w.col = nil, 0
}

// nextWord splits the first word, or the single space between words,
// off s (pre: a run of spaces kept whole).
func nextWord(s string, pre bool) (word, rest string) {
	i := strings.IndexByte(s, ' ')
	switch {
	case i < 0:
		return s, ""
	case i > 0:
		return s[:i], s[i:]
	}
	j := 0
	for j < len(s) && s[j] == ' ' {
		j++
	}
	if pre {
		return s[:j], s[j:]
	}
	return " ", s[j:]
}

// byteIndex is the byte offset of rune n of s (at least 1 rune).
func byteIndex(s string, n int) int {
	n = max(n, 1)
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

// tableLines lays a table out in columns: each as wide as its widest
// line, the widest narrowed first until the table fits the width, two
// columns apart. (Each column was once held to 40 characters, which
// wrapped a table's text at about 200 pixels in a wide reader.)
func tableLines(b Block, base Line, width int) []Line {
	cols := 0
	for _, r := range b.Rows {
		cols = max(cols, len(r))
	}
	widths := make([]int, cols)
	for _, r := range b.Rows {
		for j, c := range r {
			for _, l := range strings.Split(Text(c.Spans), "\n") {
				widths[j] = max(widths[j], min(width, utf8.RuneCountInString(l)))
			}
		}
	}
	narrow(widths, sum(widths)+2*(cols-1)-width)
	var out []Line
	for _, r := range b.Rows {
		var cells [][][]Seg
		height := 0
		for j, c := range r {
			spans := c.Spans
			if c.Header {
				spans = make([]Span, len(c.Spans))
				for k, s := range c.Spans {
					s.Style |= Bold
					spans[k] = s
				}
			}
			lines := wrap(spans, widths[j], false)
			cells = append(cells, lines)
			height = max(height, len(lines))
		}
		for i := 0; i < height; i++ {
			l := base
			col := 0
			for j, lines := range cells {
				if i < len(lines) {
					for k, s := range lines[i] {
						s.Col += col
						s.Tab = k == 0
						l.Segs = append(l.Segs, s)
					}
				}
				col += widths[j] + 2
			}
			out = append(out, l)
		}
	}
	return out
}

// narrow takes excess columns from the widest, one at a time and the
// leftmost first, none narrower than 3: worked out level by level rather
// than a column at a time, which cost the number of columns for each.
func narrow(widths []int, excess int) {
	if excess <= 0 {
		return
	}
	over := func(level int) int { // columns taken to make none wider than level
		n := 0
		for _, w := range widths {
			n += max(0, w-level)
		}
		return n
	}
	if over(3) <= excess {
		for j := range widths {
			widths[j] = min(widths[j], 3)
		}
		return
	}
	level := 0
	for _, w := range widths {
		level = max(level, w)
	}
	for over(level-1) <= excess {
		level--
	}
	left := excess - over(level) // taken from the leftmost at that level
	for j := range widths {
		if widths[j] >= level {
			widths[j] = level
			if left > 0 {
				widths[j]--
				left--
			}
		}
	}
}

func sum(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// HeadingScale is how much larger than the text a heading is drawn: each
// level a size of its own, so that levels 3 to 5 do not look like bold
// text. (Browsers draw level 4 as large as the text and 5 and 6
// smaller; a reader of mail keeps every level at least as large as the
// text, and level 6 is bold text.)
func HeadingScale(level int) float32 {
	switch level {
	case 1:
		return 1.6
	case 2:
		return 1.4
	case 3:
		return 1.25
	case 4:
		return 1.15
	case 5:
		return 1.07
	}
	return 1
}
