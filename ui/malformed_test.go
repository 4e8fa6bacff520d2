package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"strconv"
	"strings"
	"testing"

	"popvault/archive"
	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/internal/mailgen"
	"popvault/render"
)

// TestMalformedMail fetches every broken message of the corpus, then lists
// and opens each in the reader: stored byte-exact, shown, no panic, and
// every offered attachment name bare.
func TestMalformedMail(t *testing.T) {
	corpus := mailgen.Malformed()
	var msgs []pop3test.Message
	for name, data := range corpus {
		msgs = append(msgs, pop3test.Message{UID: strconv.Itoa(len(msgs)), Data: data})
		_ = name
	}
	s := pop3test.NewTLSServer(pop3test.Config{Messages: msgs})
	defer s.Close()
	u, _ := newTestUI(t, s)
	port, _ := strconv.Atoi(s.Addr[strings.LastIndexByte(s.Addr, ':')+1:])
	u.secrets.Set("M", "secret")
	f := &fetch.Fetcher{Archive: u.arch, Secrets: u.creds, RootCAs: s.CertPool()}
	r := f.Fetch(context.Background(), fetch.Account{Name: "M", Host: "127.0.0.1", Port: port, User: "alice", KeepOnServer: true})
	if r.Err != nil || r.New != len(corpus) {
		t.Fatalf("fetch: %+v", r)
	}
	page, err := u.arch.List(archive.Query{Limit: 1000})
	if err != nil || len(page.Messages) != len(corpus) {
		t.Fatalf("listed %d of %d: %v", len(page.Messages), len(corpus), err)
	}
	want := map[[32]byte]bool{}
	for _, d := range corpus {
		want[sha256.Sum256(withCRLF(d))] = true
	}
	for _, sum := range page.Messages {
		raw, err := u.arch.Raw(sum.ID)
		if err != nil || !want[sha256.Sum256(raw)] {
			t.Fatalf("message %d altered: %v", sum.ID, err)
		}
		v, err := u.arch.View(sum.ID)
		if err != nil {
			t.Fatalf("view %q: %v", sum.Subject, err)
		}
		doc := bodyDoc(v)
		ui(func() { u.reader.show(&openedMessage{v: v, doc: doc, lines: render.Layout(doc, 80), cols: 80}) })
		for _, a := range v.Attachments {
			if strings.ContainsAny(a.Name, "/\\\x1b") || strings.HasPrefix(a.Name, ".") {
				t.Fatalf("%q offers attachment name %q", sum.Subject, a.Name)
			}
		}
	}
	if rep, err := u.arch.Verify(nil); err != nil || !rep.OK() {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	t.Logf("%d malformed messages fetched, stored byte-exact, listed and opened", len(corpus))
}

// withCRLF is what a POP3 server sends of data: its last line ended.
func withCRLF(d []byte) []byte {
	if bytes.HasSuffix(d, []byte("\r\n")) {
		return d
	}
	return append(append([]byte(nil), d...), '\r', '\n')
}
