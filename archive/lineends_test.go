package archive

import (
	"bytes"
	"testing"
)

// A message whose lines end CR CR LF (a file stored with CRLF, sent by a
// server that adds a CR before each LF) is stored byte for byte and read
// as the message it is: listed, viewed, its attachment saved, its words
// found.
func TestCRCRLFMessage(t *testing.T) {
	crlf := "From: Ada <ada@example.org>\r\nSubject: Quarterly figures\r\nMessage-ID: <q@x>\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nSee the attached sheet.\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=q.csv\r\nContent-Transfer-Encoding: base64\r\n\r\nYSxiCjEsMgo=\r\n--b--\r\n"
	raw := bytes.ReplaceAll([]byte(crlf), []byte("\r\n"), []byte("\r\r\n"))
	a := openTemp(t)
	st, err := a.Store([]Incoming{{Account: "home", UID: "1", Raw: raw}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := a.Raw(st[0].ID); err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("stored bytes differ: %v", err)
	}
	p, err := a.List(Query{})
	if err != nil || len(p.Messages) != 1 {
		t.Fatalf("list: %+v, %v", p, err)
	}
	if s := p.Messages[0]; s.Subject != "Quarterly figures" || s.From != "Ada <ada@example.org>" || s.MessageID != "q@x" || !s.HasAttachments {
		t.Errorf("summary %+v", s)
	}
	v, err := a.View(st[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Text != "See the attached sheet." || len(v.Problems) != 0 {
		t.Errorf("text %q, problems %q", v.Text, v.Problems)
	}
	if len(v.Attachments) != 1 || v.Attachments[0].Name != "q.csv" {
		t.Fatalf("attachments %+v", v.Attachments)
	}
	if _, data, err := a.Attachment(st[0].ID, v.Attachments[0].Index); err != nil || string(data) != "a,b\n1,2\n" {
		t.Errorf("attachment %q, %v", data, err)
	}
	if h := Headline(raw); h != "Quarterly figures" {
		t.Errorf("headline %q", h)
	}
}
