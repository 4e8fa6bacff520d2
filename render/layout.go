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

const (
	listIndent = 3  // columns per list level
	maxColumn  = 40 // a table column's widest, before it wraps
)

// Layout breaks d into lines of at most width columns (characters),
// with a blank line between blocks but not between a list's items.
func Layout(d *Doc, width int) []Line {
	lines, _ := LayoutContext(context.Background(), d, width)
	return lines
}

// LayoutContext is Layout that gives up when ctx is done, returning
// ctx's error (wrapped) and no lines: a reader cancels ctx when the width
// changes again or another message is opened.
func LayoutContext(ctx context.Context, d *Doc, width int) ([]Line, error) {
	width = max(width, 20)
	var out []Line
	var poll poller
	for i, b := range d.Blocks {
		if err := poll.check(ctx); err != nil {
			return nil, err
		}
		if i > 0 && !(b.Indent > 0 && d.Blocks[i-1].Indent > 0) {
			out = append(out, Line{Quote: min(b.Quote, d.Blocks[i-1].Quote)})
		}
		w := max(10, width-b.Quote*2-b.Indent*listIndent)
		if b.Kind == Heading && b.Level <= 2 {
			w = w * 100 / int(100*HeadingScale(b.Level)) // drawn larger: fewer fit
		}
		base := Line{Kind: b.Kind, Level: b.Level, Quote: b.Quote, Indent: b.Indent * listIndent}
		switch b.Kind {
		case Rule:
			out = append(out, base)
		case Image:
			for j, segs := range wrap([]Span{{Text: imageText(b.Img), Style: Italic}}, w, false) {
				l := base
				segs[0].Tab = true
				if j == 0 {
					l.Img = b.Img
				}
				l.Segs = segs
				out = append(out, l)
			}
		case Table:
			out = append(out, tableLines(b, base, w)...)
		default:
			hang := 0
			if b.Marker != "" {
				hang = utf8.RuneCountInString(b.Marker) + 1
			}
			for j, segs := range wrap(b.Spans, w-hang, b.Kind == Pre) {
				l := base
				for k := range segs {
					segs[k].Col += hang
				}
				if len(segs) > 0 {
					segs[0].Tab = true
				}
				if j == 0 && b.Marker != "" {
					segs = append([]Seg{{Text: b.Marker, Tab: true}}, segs...)
				}
				l.Segs = segs
				out = append(out, l)
			}
		}
	}
	return out, nil
}

// imageText is what stands for a picture.
func imageText(img *Img) string {
	what := "picture"
	if img.Alt != "" {
		what += ": " + img.Alt
	}
	if img.Remote {
		return "[" + what + " (on the web, not loaded)]"
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
// line (at most maxColumn), narrowed to fit the width, two columns apart.
func tableLines(b Block, base Line, width int) []Line {
	cols := 0
	for _, r := range b.Rows {
		cols = max(cols, len(r))
	}
	widths := make([]int, cols)
	for _, r := range b.Rows {
		for j, c := range r {
			for _, l := range strings.Split(Text(c.Spans), "\n") {
				widths[j] = max(widths[j], min(maxColumn, utf8.RuneCountInString(l)))
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
	level := maxColumn
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

// HeadingScale is how much larger than the text a heading is drawn.
func HeadingScale(level int) float32 {
	switch level {
	case 1:
		return 1.4
	case 2:
		return 1.2
	}
	return 1
}
