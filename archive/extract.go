package archive

import (
	"bufio"
	"bytes"
	"mime"
	"strings"
	"time"

	"github.com/emersion/go-message/charset" // also registers non-UTF-8 charsets
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"golang.org/x/text/cases"
)

// extract builds an index record from raw bytes. It never fails: a message
// go-message cannot parse is indexed with whatever could be read, and its
// bytes are stored all the same.
func extract(raw []byte, arrived time.Time) *Summary {
	s := &Summary{Arrived: arrived, Date: arrived, Size: int64(len(raw))}
	mr, err := mail.CreateReader(bytes.NewReader(readable(raw)))
	if mr == nil { // err is not nil: not even the header could be read
		s.Subject = "(unreadable message: " + clean(err.Error()) + ")"
		return s
	}
	defer mr.Close()
	h := mr.Header
	s.From = headerText(&h.Header, "From")
	s.To = headerText(&h.Header, "To")
	s.Cc = headerText(&h.Header, "Cc")
	s.Subject = headerText(&h.Header, "Subject")
	if id, err := h.MessageID(); err == nil {
		s.MessageID = id
	} else {
		s.MessageID = strings.Trim(clean(h.Get("Message-Id")), "<> ")
	}
	if d, err := h.Date(); err == nil && !d.IsZero() {
		s.Date = d
	}
	s.Parents = parents(&h)
	s.HasAttachments = hasAttachments(mr, raw)
	s.Preview = preview(raw)
	return s
}

// headerText decodes a header's encoded words; undecodable text is kept
// as it is, made valid UTF-8.
func headerText(h interface{ Get(string) string }, key string) string {
	v := h.Get(key)
	dec := mime.WordDecoder{CharsetReader: charset.Reader}
	if d, err := dec.DecodeHeader(v); err == nil {
		v = d
	}
	return clean(v)
}

// clean makes text safe to index and show: valid UTF-8, no control
// characters, unfolded, and at most 1,000 characters.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\r' || r == '\n':
			return ' '
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 1000 {
		s = string(r[:1000])
	}
	return s
}

// hasAttachments reports whether a message has an attachment, as View
// lists them: a part to save (isAttachment) that is not a picture the
// body shows. It walks the parts without decoding their bodies; only
// where a picture may be the body's is the HTML read, in a second walk.
func hasAttachments(mr *mail.Reader, raw []byte) bool {
	var pictures []string
	for i := 0; i < maxParts; i++ {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		ctype, params, perr := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if perr != nil || ctype == "" {
			ctype = "text/plain"
		}
		name := ""
		if ah, ok := p.Header.(*mail.AttachmentHeader); ok {
			name, _ = ah.Filename()
		}
		if name == "" {
			name = params["name"]
		}
		if !isAttachment(p, ctype, name) {
			continue
		}
		id := pictureID(p, ctype)
		if id == "" {
			return true
		}
		pictures = append(pictures, id)
	}
	if len(pictures) == 0 {
		return false
	}
	refs := cidRefs(firstHTML(raw))
	for _, id := range pictures {
		if !refs[id] {
			return true
		}
	}
	return false
}

// firstHTML is the text of a message's first text/html part, as View
// reads it.
func firstHTML(raw []byte) string {
	var html string
	found := false
	walkParts(raw, func(i int, p *mail.Part, ctype, name string) {
		if !found && ctype == "text/html" && !isAttachment(p, ctype, name) {
			found = true
			var v View
			html = v.readText(p.Body)
		}
	}, func(error) {})
	return html
}

// maxParts bounds the parts read from one message.
const maxParts = 1000

var folder = cases.Fold()

// searchText is what header search matches against: accounts (between
// \x01 marks, for the account filter) then the folded From, To, Cc and
// Subject.
func searchText(s *Summary) []byte {
	var b bytes.Buffer
	for _, r := range s.Refs {
		b.WriteString("\x01" + r.Account + "\x01")
	}
	b.WriteByte(0)
	b.WriteString(fold(s.From + "\x00" + s.To + "\x00" + s.Cc + "\x00" + s.Subject))
	return b.Bytes()
}

// fold is Unicode case folding, so that "STRASSE" finds "straße".
func fold(s string) string { return folder.String(s) }

// Headline returns a message's decoded subject, read from its header only,
// for progress displays.
func Headline(raw []byte) string {
	raw = readable(raw[:min(len(raw), 256<<10)])
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(raw)
	}
	hdr, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw[:min(end+4, len(raw), 256<<10)])))
	if err != nil && hdr.Len() == 0 {
		return ""
	}
	return headerText(&hdr, "Subject")
}

// parents are the Message-IDs a message answers, eldest first: its
// References, then its In-Reply-To where that is not the last of them;
// the nearest maxParents, each cleaned and without spaces.
func parents(h *mail.Header) []string {
	refs, _ := h.MsgIDList("References")
	if irt, err := h.MsgIDList("In-Reply-To"); err == nil && len(irt) > 0 {
		if last := irt[len(irt)-1]; len(refs) == 0 || refs[len(refs)-1] != last {
			refs = append(refs, last)
		}
	}
	var out []string
	for _, id := range refs {
		if id = strings.Join(strings.Fields(clean(id)), ""); id != "" && len(id) < 250 {
			out = append(out, id)
		}
	}
	if len(out) > maxParents {
		out = out[len(out)-maxParents:]
	}
	return out
}
