package render

import (
	"context"
	"strings"
	"unicode/utf8"
)

// PlainText renders a text/plain body. With f.Flowed (RFC 3676's
// format=flowed), lines ending in a space join the next into one
// paragraph, and f.DelSp drops that space; otherwise each line break is
// kept. Lines starting with ">" are quotes, as deep as their ">"s, and
// web and mail addresses become links.
func PlainText(src string, f Format) *Doc {
	d, _ := PlainTextContext(context.Background(), src, f)
	return d
}

// Format is how a text/plain body's lines are meant (RFC 3676).
type Format struct {
	Flowed bool // format=flowed: a line ending in a space goes on in the next
	DelSp  bool // delsp=yes: and that space is not part of the text
}

// PlainTextContext is PlainText that gives up when ctx is done,
// returning ctx's error (wrapped) and no document.
func PlainTextContext(ctx context.Context, src string, f Format) (*Doc, error) {
	flowed, delsp := f.Flowed, f.DelSp
	b := &builder{}
	if len(src) > maxInput {
		src, b.doc.Cut = src[:maxInput], true
	}
	var poll poller
	src = strings.ReplaceAll(src, "\r\n", "\n")
	lines := strings.Split(strings.TrimRight(src, "\n"), "\n")
	var para []string
	depth := -1
	flush := func() {
		if len(para) == 0 {
			return
		}
		b.quote = depth
		b.cur = b.add(Block{Kind: Paragraph})
		if b.cur != nil {
			joiner := "\n"
			if flowed {
				joiner = ""
			}
			for _, sp := range linkify(strings.Join(para, joiner)) {
				full := b.text_+len(sp.Text) > maxText
				if full {
					// The beginning of what does not fit, as plain text.
					sp = Span{Text: cutAt(sp.Text, maxText-b.text_)}
					b.doc.Cut = true
				}
				b.text_ += len(sp.Text)
				if sp.Text != "" {
					b.cur.Spans = append(b.cur.Spans, sp)
				}
				if full {
					break
				}
			}
			if len(b.cur.Spans) == 0 { // nothing of it fitted
				b.doc.Blocks = b.doc.Blocks[:len(b.doc.Blocks)-1]
			}
		}
		b.cur, para = nil, nil
	}
	for _, line := range lines {
		if err := poll.check(ctx); err != nil {
			return nil, err
		}
		if b.lines >= maxLines {
			b.doc.Cut = true
		}
		if b.full() {
			break
		}
		b.lines++
		d, rest := quoteDepth(line, flowed)
		if flowed && strings.HasPrefix(rest, " ") {
			rest = rest[1:] // space-stuffing
		}
		if d != depth {
			flush()
			depth = d
		}
		if strings.TrimSpace(rest) == "" {
			flush()
			continue
		}
		soft := flowed && strings.HasSuffix(rest, " ") && rest != "-- "
		if soft && delsp {
			rest = rest[:len(rest)-1]
		}
		para = append(para, rest)
		if flowed && !soft {
			flush()
		}
	}
	flush()
	return &b.doc, nil
}

// quoteDepth counts a line's leading ">"s; outside format=flowed, "> >"
// counts as two, as mail programs write it.
func quoteDepth(line string, flowed bool) (int, string) {
	d := 0
	for {
		switch {
		case strings.HasPrefix(line, ">"):
			d++
			line = line[1:]
		case !flowed && d > 0 && strings.HasPrefix(line, " >"):
			d++
			line = line[2:]
		default:
			if !flowed && d > 0 {
				line = strings.TrimPrefix(line, " ")
			}
			return min(d, maxDepth), line
		}
	}
}

// linkify splits text into spans, web and mail addresses (http:,
// https:, mailto:) as links. Punctuation that ends a sentence is not
// part of the address.
//
// It scans the text itself rather than with a regular expression: Go's
// engine takes about a microsecond a byte on megabytes of text holding
// many words, and a body of 2 MB took seconds.
func linkify(s string) []Span {
	var out []Span
	last := 0
	for i := 0; i < len(s); {
		start, end := nextAddress(s, i)
		if start < 0 {
			break
		}
		i = end
		// A ")" is the address's while it closes one of its "(":
		// Wikipedia_(disambiguation). Counted once: looking for a "(" again
		// for each ")" trimmed cost the square of a run of them.
		opened := strings.Count(s[start:end], "(")
		closed := strings.Count(s[start:end], ")")
		for end > start && strings.ContainsRune(".,;:!?)]}'", rune(s[end-1])) {
			if s[end-1] == ')' {
				if closed <= opened {
					break
				}
				closed--
			}
			end--
		}
		if start > last {
			out = append(out, Span{Text: s[last:start]})
		}
		out = append(out, Span{Text: s[start:end], Link: s[start:end]})
		last = end
	}
	if last < len(s) {
		out = append(out, Span{Text: s[last:]})
	}
	return out
}

// schemes are the addresses linkify finds, in lower case.
var schemes = []string{"https://", "http://", "mailto:"}

// nextAddress finds the first address in s at or after i: a scheme, in
// any case, at the start of a word (after no ASCII letter, digit or
// underscore), then one or more bytes up to white space, "<", ">" or
// '"'. It returns -1, -1 when there is none.
func nextAddress(s string, i int) (start, end int) {
	for ; i < len(s); i++ {
		c := s[i] | 0x20 // ASCII lower case
		if c != 'h' && c != 'm' || i > 0 && isWordByte(s[i-1]) {
			continue
		}
		for _, scheme := range schemes {
			if len(s)-i > len(scheme) && asciiFold(s[i:i+len(scheme)], scheme) {
				end := i + len(scheme)
				for end < len(s) && !strings.ContainsRune(" \t\n\f\r<>\"", rune(s[end])) {
					end++
				}
				if end > i+len(scheme) {
					return i, end
				}
			}
		}
	}
	return -1, -1
}

// asciiFold reports whether s is lower, ASCII only, in any case.
func asciiFold(s, lower string) bool {
	for i := range len(lower) {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func isWordByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// cutAt is the longest beginning of s of at most n bytes that does not
// end inside a character.
func cutAt(s string, n int) string {
	if n >= len(s) {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
