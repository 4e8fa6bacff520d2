package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/url"
	"strings"

	"github.com/emersion/go-message/mail"
)

// View is a message parsed for reading.
type View struct {
	*Summary
	Text string // the first text/plain part, decoded to UTF-8
	HTML string // the first text/html part, decoded to UTF-8; never load its remote content
	// Flowed and DelSp are the text part's format=flowed and delsp=yes
	// (RFC 3676): its soft line breaks are the sender's program's.
	Flowed, DelSp bool
	// ReplyTo is the Reply-To header, decoded: where replies go, when
	// it is not the sender.
	ReplyTo     string
	Attachments []Attachment
	Problems    []string // what could not be parsed or decoded; the raw bytes are intact
}

// Attachment is a part a user may save.
type Attachment struct {
	Index       int    // its position, for Attachment(id, index)
	Name        string // a bare file name: any path is stripped
	ContentType string
	Size        int64 // decoded bytes
	// ContentID is the part's Content-ID, without its angle brackets:
	// what the HTML part's cid: addresses name.
	ContentID string
	// Inline is set for a picture that the body shows (its HTML names it
	// by cid:): drawn there, not listed as an attachment, nor counted in
	// the list's mark or by has:attachment. It is here for the window to
	// find the picture by its ContentID.
	Inline bool
}

// maxViewText bounds the text kept for a view; the rest is dropped with a
// note in Problems. The raw message is always available whole.
const maxViewText = 8 << 20

// View parses a message for reading. It never fails on malformed mail:
// what cannot be read is reported in Problems.
func (a *Archive) View(id uint64) (*View, error) {
	s, err := a.Summary(id)
	if err != nil {
		return nil, err
	}
	raw, err := a.Raw(id)
	if err != nil {
		return nil, err
	}
	v := &View{Summary: s}
	raw = readable(raw)
	if h, err := mail.CreateReader(bytes.NewReader(raw)); err == nil {
		if list, err := h.Header.AddressList("Reply-To"); err == nil && len(list) > 0 {
			v.ReplyTo = list[0].Address
		}
		h.Close()
	}
	var pictures []string // each attachment's Content-ID if it may be a picture the body shows
	walkParts(raw, func(i int, p *mail.Part, ctype string, name string) {
		if isAttachment(p, ctype, name) {
			n, err := io.Copy(io.Discard, p.Body)
			if err != nil {
				v.problem(err)
			}
			cid := strings.Trim(strings.TrimSpace(p.Header.Get("Content-Id")), "<>")
			v.Attachments = append(v.Attachments, Attachment{Index: i, Name: safeName(name, i), ContentType: ctype, Size: n, ContentID: cid})
			pictures = append(pictures, pictureID(p, ctype))
			return
		}
		switch {
		case ctype == "text/plain" && v.Text == "":
			v.Text = v.readText(p.Body)
			if _, params, err := mime.ParseMediaType(p.Header.Get("Content-Type")); err == nil {
				v.Flowed = strings.EqualFold(params["format"], "flowed")
				v.DelSp = strings.EqualFold(params["delsp"], "yes")
			}
		case ctype == "text/html" && v.HTML == "":
			v.HTML = v.readText(p.Body)
		}
	}, v.problem)
	refs := cidRefs(v.HTML)
	for i := range v.Attachments {
		v.Attachments[i].Inline = pictures[i] != "" && refs[pictures[i]]
	}
	return v, nil
}

// ErrDamaged: an attachment could not be decoded to its end (broken
// base64, say); what could be is returned with it.
var ErrDamaged = errors.New("archive: the attachment is damaged")

// Attachment returns the decoded content of the part at index, as listed
// in View.Attachments. A part that cannot be decoded whole comes with
// ErrDamaged and the bytes decoded before the damage: the caller may
// save them, but must say they are not all.
func (a *Archive) Attachment(id uint64, index int) (Attachment, []byte, error) {
	raw, err := a.Raw(id)
	if err != nil {
		return Attachment{}, nil, err
	}
	var att Attachment
	var data []byte
	var derr error
	found := false
	walkParts(raw, func(i int, p *mail.Part, ctype, name string) {
		if i == index {
			data, derr = io.ReadAll(p.Body)
			att = Attachment{Index: i, Name: safeName(name, i), ContentType: ctype, Size: int64(len(data))}
			found = true
		}
	}, func(error) {})
	if !found {
		return Attachment{}, nil, ErrNotFound
	}
	if derr != nil {
		return att, data, fmt.Errorf("%w: only its first %d bytes could be decoded (%s)", ErrDamaged, len(data), clean(derr.Error()))
	}
	return att, data, nil
}

func (v *View) readText(r io.Reader) string {
	b, err := io.ReadAll(io.LimitReader(r, maxViewText+1))
	if err != nil {
		v.problem(err)
	}
	if len(b) > maxViewText {
		b = b[:maxViewText]
		v.Problems = append(v.Problems, "text cut at 8 MB; the full message is in its raw source")
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func (v *View) problem(err error) {
	if len(v.Problems) < 20 {
		v.Problems = append(v.Problems, clean(err.Error()))
	}
}

// walkParts calls part for each leaf part with its index, media type and
// file name; problems are reported, never fatal.
func walkParts(raw []byte, part func(i int, p *mail.Part, ctype, name string), problem func(error)) {
	mr, err := mail.CreateReader(bytes.NewReader(readable(raw)))
	if err != nil {
		problem(err)
	}
	if mr == nil {
		return
	}
	defer mr.Close()
	for i := 0; i < maxParts; i++ {
		p, err := mr.NextPart()
		if err == io.EOF {
			return
		}
		if err != nil {
			problem(err) // an unknown charset still comes with a usable part
		}
		if p == nil {
			return
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
		part(i, p, ctype, name)
	}
	problem(errors.New("too many parts; the rest are not shown"))
}

// isAttachment tells a part to save rather than read: it has a file
// name, is marked as an attachment, or is not text. Such a part is an
// attachment the message has (the list's mark, has:attachment, the
// reader's list) unless it is a picture the body shows: see pictureID
// and cidRefs, which View, extract and textDoc all go by.
func isAttachment(p *mail.Part, ctype, name string) bool {
	_, marked := p.Header.(*mail.AttachmentHeader)
	return name != "" || marked || !strings.HasPrefix(ctype, "text/")
}

// pictureID is, for a part that may be a picture the body shows (an
// image with a Content-ID that is not marked "attachment"), its
// Content-ID in lower case; else "".
func pictureID(p *mail.Part, ctype string) string {
	if !strings.HasPrefix(ctype, "image/") {
		return ""
	}
	if disp, _, err := mime.ParseMediaType(p.Header.Get("Content-Disposition")); err == nil && disp == "attachment" {
		return "" // the sender said it is one, whatever the body shows
	}
	return strings.ToLower(strings.Trim(strings.TrimSpace(p.Header.Get("Content-Id")), "<>"))
}

// maxRefs bounds the cid: addresses read from one HTML part.
const maxRefs = 1000

// cidRefs returns the Content-IDs that an HTML body names in cid:
// addresses (RFC 2392: escaped as in a URL), in lower case. It looks for
// the addresses in the text rather than parsing the markup: a "cid:"
// that is not in an attribute costs a picture its place in the list,
// nothing more.
func cidRefs(html string) map[string]bool {
	refs := map[string]bool{}
	for rest := html; len(refs) < maxRefs; {
		i := indexFold(rest, "cid:")
		if i < 0 {
			break
		}
		rest = rest[i+4:]
		end := strings.IndexAny(rest, "\"' <>)\t\r\n")
		if end < 0 {
			end = len(rest)
		}
		id := rest[:end]
		if u, err := url.PathUnescape(id); err == nil {
			id = u
		}
		if id = strings.ToLower(strings.Trim(id, "<>")); id != "" {
			refs[id] = true
		}
	}
	return refs
}

// indexFold is strings.Index for an ASCII lower-case pattern, in any
// case; linear in s.
func indexFold(s, lower string) int {
	for i := 0; i+len(lower) <= len(s); i++ {
		if s[i]|0x20 == lower[0] && strings.EqualFold(s[i:i+len(lower)], lower) {
			return i
		}
	}
	return -1
}

// safeName is the file name offered for part i.
func safeName(name string, i int) string {
	return SafeFileName(name, "attachment-"+itoa(i+1))
}
