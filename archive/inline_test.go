package archive

import (
	"context"
	"encoding/base64"
	"os"
	"slices"
	"strings"
	"testing"

	"go.etcd.io/bbolt"
)

// logo is a picture of 86 bytes, as the receipt's logo was.
var logo = strings.Repeat("P", 86)

// related is a receipt: a text part, an HTML part that shows parts by
// their cid: addresses, and the parts given.
func related(html string, parts ...string) string {
	var b strings.Builder
	b.WriteString("From: Shop <shop@example.com>\r\nTo: ada@example.org\r\nSubject: Your receipt\r\nDate: Mon, 2 Jan 2023 10:00:00 +0000\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=r\r\n\r\n" +
		"--r\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n" +
		"--a\r\nContent-Type: text/plain\r\n\r\nThanks for your order.\r\n" +
		"--a\r\nContent-Type: text/html\r\n\r\n" + html + "\r\n--a--\r\n")
	for _, p := range parts {
		b.WriteString("--r\r\n" + p + "\r\n")
	}
	b.WriteString("--r--\r\n")
	return b.String()
}

func picture(headers string) string {
	return "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n" + headers + "\r\n\r\n" + base64.StdEncoding.EncodeToString([]byte(logo))
}

// TestAttachmentMark: a picture the body shows is not an attachment, and
// the list's mark, has:attachment and the reader's list agree, message
// by message.
func TestAttachmentMark(t *testing.T) {
	a := openTemp(t)
	pdf := "Content-Type: application/pdf\r\n\r\nJVBERi0="
	for _, c := range []struct {
		name     string
		raw      string
		attached bool
		inline   []bool // View.Attachments' Inline, in order
	}{
		{"the receipt's logo", related(`<p>Thanks <img src="cid:logo@shop" alt="Shop logo"></p>`, picture("Content-ID: <logo@shop>")), false, []bool{true}},
		{"a logo named in another case, escaped", related(`<img src="CID:Logo%40Shop">`, picture("Content-ID: <logo@shop>")), false, []bool{true}},
		{"an inline picture with a file name", related(`<img src="cid:p1">`, picture("Content-ID: <p1>\r\nContent-Disposition: inline; filename=\"photo.png\"")), false, []bool{true}},
		{"a picture the body does not show", related(`<p>no picture</p>`, picture("Content-ID: <logo@shop>")), true, []bool{false}},
		{"a picture marked as an attachment", related(`<img src="cid:logo@shop">`, picture("Content-ID: <logo@shop>\r\nContent-Disposition: attachment")), true, []bool{false}},
		{"a document without a name", related(`<img src="cid:logo@shop">`, picture("Content-ID: <logo@shop>"), pdf), true, []bool{true, false}},
		{"no parts but text", related(`<p>hello</p>`), false, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, err := a.Store([]Incoming{{Account: "a", UID: c.name, Raw: []byte(c.raw)}})
			if err != nil {
				t.Fatal(err)
			}
			id := st[0].ID
			s, err := a.Summary(id)
			if err != nil {
				t.Fatal(err)
			}
			if s.HasAttachments != c.attached {
				t.Errorf("the list's mark: %v, want %v", s.HasAttachments, c.attached)
			}
			v, err := a.View(id)
			if err != nil {
				t.Fatal(err)
			}
			var inline []bool
			listed := 0
			for _, at := range v.Attachments {
				inline = append(inline, at.Inline)
				if !at.Inline {
					listed++
				}
			}
			if !slices.Equal(inline, c.inline) {
				t.Errorf("inline %v, want %v", inline, c.inline)
			}
			if (listed > 0) != c.attached {
				t.Errorf("%d attachments listed, but the mark is %v", listed, c.attached)
			}
			if err := a.SearchIndex().Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
			p, err := a.List(Query{Search: "has:attachment subject:receipt", Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			found := slices.ContainsFunc(p.Messages, func(m *Summary) bool { return m.ID == id })
			if found != c.attached {
				t.Errorf("has:attachment finds it: %v, want %v", found, c.attached)
			}
		})
	}
}

// TestAttachmentMarkRecomputed: a message stored under the old rule,
// its logo counted as an attachment, gets its mark corrected when the
// index is rebuilt (as it is once, for the new text version).
func TestAttachmentMarkRecomputed(t *testing.T) {
	a := openTemp(t)
	st, err := a.Store([]Incoming{{Account: "a", UID: "1", Raw: []byte(related(`<img src="cid:logo@shop">`, picture("Content-ID: <logo@shop>")))}})
	if err != nil {
		t.Fatal(err)
	}
	id := st[0].ID
	// As an older popvault wrote it.
	err = a.db.Update(func(tx *bbolt.Tx) error {
		s, err := getRecord(tx, id)
		if err != nil {
			return err
		}
		s.HasAttachments, s.Read = true, true
		return tx.Bucket(bucketIndex).Put(u64(id), s.encode())
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SearchIndex().Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	s, err := a.Summary(id)
	if err != nil {
		t.Fatal(err)
	}
	if s.HasAttachments || !s.Read {
		t.Errorf("after the rebuild: attachments %v, read %v", s.HasAttachments, s.Read)
	}
}

// stub is a newsletter whose text part only says to read the HTML.
func stub(t testing.TB) string {
	html, err := os.ReadFile("../render/testdata/templates/leemunroe-email.html")
	if err != nil {
		t.Fatal(err)
	}
	return "From: News <news@htmlemail.example>\r\nTo: ada@example.org\r\nSubject: News\r\nDate: Mon, 2 Jan 2023 10:00:00 +0000\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n" +
		"--a\r\nContent-Type: text/plain\r\n\r\nThis message is best read as HTML.\r\n" +
		"--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + string(html) + "\r\n--a--\r\n"
}

// TestSearchHTMLOfStub: the words of a newsletter's HTML are found when
// its text part is a stub; the text of a message whose parts agree is
// indexed once.
func TestSearchHTMLOfStub(t *testing.T) {
	a := openTemp(t)
	st, err := a.Store([]Incoming{{Account: "a", UID: "1", Raw: []byte(stub(t))}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SearchIndex().Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"simple", "Belfast", `"call to action"`, "best read"} {
		p, err := a.List(Query{Search: q, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Messages) != 1 || p.Messages[0].ID != st[0].ID {
			t.Errorf("%s finds %d messages", q, len(p.Messages))
		}
	}
	v, err := a.View(st[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if text := v.SearchText(); !strings.Contains(text, "Belfast") || !strings.Contains(text, "best read as HTML") {
		t.Errorf("the view's search text lacks the HTML or the text part: %.200q", text)
	}

	same := "From: Ann <ann@example.org>\r\nSubject: agenda\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n" +
		"--a\r\nContent-Type: text/plain\r\n\r\nCompilers, nanoseconds and bugs: the agenda for Tuesday.\r\n" +
		"--a\r\nContent-Type: text/html\r\n\r\n<p>Compilers, <b>nanoseconds</b> and bugs:</p><p>the agenda for Tuesday.</p>\r\n--a--\r\n"
	d := textDoc(&Summary{}, []byte(same))
	if n := strings.Count(d.Body, "nanoseconds"); n != 1 {
		t.Errorf("the text of agreeing parts is indexed %d times: %q", n, d.Body)
	}
}

// BenchmarkTextDoc takes the text of a newsletter (a stub text part and
// a template's HTML), as indexing does for each message.
func BenchmarkTextDoc(b *testing.B) {
	html, err := os.ReadFile("../render/testdata/templates/mailchimp-simple-basic.html")
	if err != nil {
		b.Fatal(err)
	}
	raw := []byte("From: News <news@example.com>\r\nSubject: News\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=a\r\n\r\n" +
		"--a\r\nContent-Type: text/plain\r\n\r\nThis message is best read as HTML.\r\n" +
		"--a\r\nContent-Type: text/html\r\n\r\n" + string(html) + "\r\n--a--\r\n")
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		textDoc(&Summary{}, raw)
	}
}
