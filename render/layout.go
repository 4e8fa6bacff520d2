package render

import (
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
	width = max(width, 20)
	var out []Line
	for i, b := range d.Blocks {
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
	return out
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
	width = max(width, 1)
	var lines [][]Seg
	var line []Seg
	col := 0
	put := func(text string, s Span) {
		n := len(line)
		if n > 0 && line[n-1].Style == s.Style && line[n-1].Link == s.Link {
			line[n-1].Text += text
		} else {
			line = append(line, Seg{Text: text, Style: s.Style, Link: s.Link, Col: col})
		}
		col += utf8.RuneCountInString(text)
	}
	newline := func() {
		if n := len(line); n > 0 && !pre {
			line[n-1].Text = strings.TrimRight(line[n-1].Text, " ")
		}
		lines = append(lines, line)
		line, col = nil, 0
	}
	for _, s := range spans {
		for i, part := range strings.Split(s.Text, "\n") {
			if i > 0 {
				newline()
			}
			for _, word := range words(part, pre) {
				n := utf8.RuneCountInString(word)
				if col+n > width && col > 0 {
					if word == " " {
						continue
					}
					newline()
					if !pre {
						word = strings.TrimLeft(word, " ")
						n = utf8.RuneCountInString(word)
					}
				}
				for n > width { // a word longer than the line
					cut := byteIndex(word, width-col)
					put(word[:cut], s)
					newline()
					word = word[cut:]
					n = utf8.RuneCountInString(word)
				}
				if word != "" && !(col == 0 && word == " " && !pre) {
					put(word, s)
				}
			}
		}
	}
	if len(line) > 0 || len(lines) == 0 {
		newline()
	}
	return lines
}

// words splits text into words and the single spaces between them (pre:
// runs of spaces kept whole).
func words(s string, pre bool) []string {
	var out []string
	for s != "" {
		i := strings.IndexByte(s, ' ')
		switch {
		case i < 0:
			return append(out, s)
		case i > 0:
			out = append(out, s[:i])
			s = s[i:]
		default:
			j := 0
			for j < len(s) && s[j] == ' ' {
				j++
			}
			if pre {
				out = append(out, s[:j])
			} else {
				out = append(out, " ")
			}
			s = s[j:]
		}
	}
	return out
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
	// Narrow the widest columns until the row fits.
	for total := sum(widths) + 2*(cols-1); total > width; total-- {
		widest := 0
		for j := range widths {
			if widths[j] > widths[widest] {
				widest = j
			}
		}
		if widths[widest] <= 3 {
			break
		}
		widths[widest]--
	}
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
