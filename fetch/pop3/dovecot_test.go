package pop3

import (
	"context"
	"crypto/sha256"
	"io"
	"testing"

	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
)

func TestDovecot(t *testing.T) {
	var msgs [][]byte
	want := map[[32]byte]int{}
	for _, m := range mailgen.Corpus(300, 1) {
		msgs = append(msgs, m.Data)
	}
	msgs = append(msgs, []byte(awkwardBodies["dot lines"]), []byte("Subject: no final newline\r\n\r\n."))
	for _, m := range msgs {
		want[sha256.Sum256([]byte(wantBack(string(m))))]++
	}
	d := dovecot.StartForTest(t, msgs...)
	ctx := context.Background()
	opts := &Options{TLSConfig: d.TLSClientConfig()}

	tls, err := DialTLS(ctx, d.TLSAddr(), opts)
	if err != nil {
		t.Fatal(err)
	}
	checkMailbox(t, tls, d, want)

	stls, err := Dial(ctx, d.Addr(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := stls.StartTLS(ctx); err != nil {
		t.Fatal(err)
	}
	checkMailbox(t, stls, d, want)
	if n, _ := d.Retrieved(); n != 2*len(msgs) {
		t.Errorf("Dovecot logged %d retrievals, want %d", n, 2*len(msgs))
	}
}

// checkMailbox logs in, retrieves everything pipelined, and compares the
// multiset of contents with want.
func checkMailbox(t *testing.T, c *Client, d *dovecot.Server, want map[[32]byte]int) {
	t.Helper()
	ctx := context.Background()
	if err := c.Login(ctx, d.User, d.Password); err != nil {
		t.Fatal(err)
	}
	caps, err := c.Capa(ctx)
	if err != nil || !caps.Has("PIPELINING") || !caps.Has("UIDL") {
		t.Fatalf("capabilities %v, %v", caps, err)
	}
	uidl, err := c.UIDL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int, len(uidl))
	for i, m := range uidl {
		ids[i] = m.ID
	}
	got := map[[32]byte]int{}
	err = c.RetrMany(ctx, ids, func(id int, r io.Reader) error {
		h := sha256.New()
		_, err := io.Copy(h, r)
		got[[32]byte(h.Sum(nil))]++
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d distinct messages, want %d", len(got), len(want))
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("a message came back altered or missing")
		}
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}
}
