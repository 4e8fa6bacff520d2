package render

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/bidi"
)

// HasRTL reports whether s holds right-to-left letters (Hebrew, Arabic
// and the like).
func HasRTL(s string) bool {
	for _, r := range s {
		if r >= 0x0590 && r <= 0x08FF || r >= 0xFB1D && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF {
			return true
		}
	}
	return false
}

// Visual returns a line of text in the order to draw it, left to right,
// for a text engine that shapes each word but lays words out left to
// right (Fyne's): the runs of the Unicode Bidirectional Algorithm in
// visual order, the words of right-to-left runs reversed. rtl reports a
// right-to-left paragraph, which is drawn against the right edge.
func Visual(s string) (out string, rtl bool) {
	if !HasRTL(s) {
		return s, false
	}
	var p bidi.Paragraph
	if _, err := p.SetString(s); err != nil {
		return s, false
	}
	o, err := p.Order()
	if err != nil {
		return s, false
	}
	rtl = firstStrongRTL(s)
	var b strings.Builder
	for i := 0; i < o.NumRuns(); i++ {
		r := o.Run(i)
		text := r.String()
		if r.Direction() == bidi.RightToLeft {
			text = reverseWords(text)
		}
		b.WriteString(text)
	}
	return b.String(), rtl
}

// firstStrongRTL: the paragraph's direction is its first letter's (the
// algorithm's rules P2 and P3).
func firstStrongRTL(s string) bool {
	for _, r := range s {
		if HasRTL(string(r)) {
			return true
		}
		if unicode.IsLetter(r) {
			return false
		}
	}
	return false
}

// Words splits s into words (letters, digits and marks) and the single
// characters between them, in order.
func Words(s string) []string {
	var out []string
	start := -1
	for i, r := range s {
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
		out = append(out, string(r))
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// reverseWords reverses the order of the words of s, and of the spaces
// and punctuation between them, keeping each word's letters.
func reverseWords(s string) string {
	var tokens []string
	start := 0
	isWord := isWordRune
	var cur bool
	for i, r := range s {
		w := isWord(r)
		if i > start && w != cur {
			tokens = append(tokens, s[start:i])
			start = i
		}
		cur = w
	}
	tokens = append(tokens, s[start:])
	for k, t := range tokens {
		if r := []rune(t); len(r) > 0 && !isWord(r[0]) { // spaces and punctuation: reversed too
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
			tokens[k] = string(r)
		}
	}
	for i, j := 0, len(tokens)-1; i < j; i, j = i+1, j-1 {
		tokens[i], tokens[j] = tokens[j], tokens[i]
	}
	return strings.Join(tokens, "")
}
