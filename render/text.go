package render

import (
	"regexp"
	"strings"
)

// PlainText renders a text/plain body. With flowed (RFC 3676's
// format=flowed), lines ending in a space join the next into one
// paragraph, and delsp drops that space; otherwise each line break is
// kept. Lines starting with ">" are quotes, as deep as their ">"s, and
// web and mail addresses become links.
func PlainText(src string, flowed, delsp bool) *Doc {
	b := &builder{}
	if len(src) > maxInput {
		src, b.doc.Cut = src[:maxInput], true
	}
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
				if b.text_+len(sp.Text) > maxText {
					b.doc.Cut = true
					break
				}
				b.text_ += len(sp.Text)
				b.cur.Spans = append(b.cur.Spans, sp)
			}
		}
		b.cur, para = nil, nil
	}
	for _, line := range lines {
		if b.full() {
			break
		}
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
	return &b.doc
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

var addressRE = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"]+|\bmailto:[^\s<>"]+`)

// linkify splits text into spans, addresses as links. Punctuation that
// ends a sentence is not part of the address.
func linkify(s string) []Span {
	var out []Span
	last := 0
	for _, m := range addressRE.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		for end > start && strings.ContainsRune(".,;:!?)]}'", rune(s[end-1])) {
			if s[end-1] == ')' && strings.Contains(s[start:end-1], "(") {
				break // Wikipedia_(disambiguation)
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
