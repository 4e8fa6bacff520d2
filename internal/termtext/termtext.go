// Package termtext makes text safe to write to a terminal. Mail bodies,
// headers, search snippets, server replies and TLS errors (certificate
// names) are chosen by strangers; written raw, an ESC or a C1 control in
// them can retitle a terminal, write its clipboard (OSC 52) or redraw the
// screen, and a bidirectional override can make text read differently
// from what it is. Every text popvault's command line shows goes through
// [Clean] or a [Writer]; only `show --raw`, which promises the stored
// bytes, does not.
package termtext

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Dropped reports whether r is removed: C0 controls other than newline
// and tab, DEL, C1 controls, and the bidirectional embeddings, overrides
// and isolates (U+202A–U+202E, U+2066–U+2069).
func Dropped(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// Clean returns s without the runes [Dropped] names, invalid UTF-8 made
// U+FFFD (a lone 0x9b byte is CSI to some terminals).
func Clean(s string) string {
	clean := true
	for i, r := range s {
		if Dropped(r) || r == utf8.RuneError && !isReplacementChar(s[i:]) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if !Dropped(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isReplacementChar reports whether s begins with a real U+FFFD rather
// than an invalid byte.
func isReplacementChar(s string) bool { return strings.HasPrefix(s, "\uFFFD") }

// Writer passes everything written through Clean. A rune split between
// two writes is held until its last byte comes.
type Writer struct {
	w       io.Writer
	pending []byte
}

// NewWriter returns a Writer that writes clean text to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Underlying is the writer beneath, for asking whether it is a terminal.
func (w *Writer) Underlying() io.Writer { return w.w }

func (w *Writer) Write(p []byte) (int, error) {
	data := p
	if len(w.pending) > 0 {
		data = append(w.pending, p...)
		w.pending = nil
	}
	// Hold back an incomplete rune at the end.
	cut := len(data)
	for i := len(data) - 1; i >= 0 && i >= len(data)-utf8.UTFMax; i-- {
		if utf8.RuneStart(data[i]) {
			if !utf8.FullRune(data[i:]) {
				cut = i
			}
			break
		}
	}
	w.pending = append(w.pending, data[cut:]...)
	if _, err := io.WriteString(w.w, Clean(string(data[:cut]))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// EscapeJSON rewrites, in JSON text, each rune [Dropped] names as a \u
// escape: the JSON means the same, and a terminal shows it harmlessly.
// (encoding/json escapes C0 controls itself, but not DEL, C1 or bidi.)
func EscapeJSON(b []byte) []byte {
	if !bytes.ContainsFunc(b, func(r rune) bool { return r >= 0x7f && Dropped(r) }) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r >= 0x7f && Dropped(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[:n]...)
		}
		b = b[n:]
	}
	return out
}
