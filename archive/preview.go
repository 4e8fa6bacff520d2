package archive

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/mail"
)

// The preview is the line of a message's text the list shows under its
// subject. It is made when the message is stored and kept in its index
// record, so that the list, which pages through records, never reads a
// body. Records stored before it was kept have none until the search
// index is rebuilt (popvault reindex), which fills it in.
const (
	previewRunes    = 160      // kept: more than the widest list shows
	previewReadText = 16 << 10 // bytes of a text part read for it
	previewReadHTML = 64 << 10 // of an HTML part, whose markup is most of it
	// previewKeep bounds the kept text that is cleaned: many times what
	// previewRunes takes, however much space clean then removes, where
	// cleaning all that was read was a seventh of a download's CPU.
	previewKeep = 4 << 10
)

// preview is the first words of raw's body: of its first text part, or
// of its HTML where it has no text part; quoted lines (a reply's "> …")
// and the line that introduces them are left out.
func preview(raw []byte) string {
	var plain, html string
	walkParts(raw, func(i int, p *mail.Part, ctype, name string) {
		if isAttachment(p, ctype, name) {
			return
		}
		switch {
		case ctype == "text/plain" && plain == "":
			b, _ := io.ReadAll(io.LimitReader(p.Body, previewReadText))
			plain = string(b)
		case ctype == "text/html" && html == "" && strings.TrimSpace(plain) == "": // a text part says it already
			b, _ := io.ReadAll(io.LimitReader(p.Body, previewReadHTML))
			html = string(b)
		}
	}, func(error) {})
	text := plain
	if strings.TrimSpace(text) == "" && html != "" {
		text = HTMLText(html)
	}
	var kept []string
	size := 0
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, ">") || strings.HasSuffix(line, "wrote:") {
			continue
		}
		kept = append(kept, line)
		if size += len(line) + 1; size >= previewKeep {
			break
		}
	}
	joined := strings.Join(kept, " ")
	if len(joined) > previewKeep {
		cut := previewKeep
		for cut > 0 && !utf8.RuneStart(joined[cut]) {
			cut--
		}
		joined = joined[:cut]
	}
	s := clean(joined)
	if r := []rune(s); len(r) > previewRunes {
		s = string(r[:previewRunes])
	}
	return s
}
