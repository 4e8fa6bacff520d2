package restore

import (
	"testing"
	"time"

	"popvault/archive"
	"popvault/fetch"
	"popvault/restore/imaptest"
)

// testOptions restore into the test server's user's mailbox, over plain
// IMAP.
func testOptions(s *imaptest.Server, mailbox string) Options {
	return Options{
		Target:      Target{Host: "127.0.0.1", Port: s.Port, Security: fetch.SecurityPlain, User: s.User, Mailbox: mailbox},
		Credentials: Credentials{Password: s.Password},
		Create:      true,
		Timeout:     10 * time.Second,
	}
}

// once checks that mailbox holds each of ids exactly once, byte for byte
// (the test server keeps bytes as they came), and besides them only
// others (messages not from the archive).
func once(t *testing.T, a *archive.Archive, s *imaptest.Server, mailbox string, ids []uint64, others int) {
	t.Helper()
	got, err := s.Messages(mailbox)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, m := range got {
		count[string(m)]++
	}
	for _, id := range ids {
		raw, err := a.Raw(id)
		if err != nil {
			t.Fatal(err)
		}
		if n := count[string(raw)]; n != 1 {
			t.Errorf("message %d is in %s %d times", id, mailbox, n)
		}
	}
	if len(got) != len(ids)+others {
		t.Errorf("%s holds %d messages, want %d of the archive's and %d others", mailbox, len(got), len(ids), others)
	}
}
