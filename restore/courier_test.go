package restore

import (
	"context"
	"strings"
	"testing"
	"time"

	"popvault/archive"
	"popvault/restore/imaptest"
	"popvault/transport"
)

// testOptions restore into the test server's user's mailbox, over plain
// IMAP.
func testOptions(s *imaptest.Server, mailbox string) Options {
	return Options{
		Target:      Target{Host: "127.0.0.1", Port: s.Port, Security: transport.SecurityPlain, User: s.User, Mailbox: mailbox},
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

// markPending records ids as pending in mailbox: what a run leaves when
// it is killed.
func markPending(t *testing.T, a *archive.Archive, s *imaptest.Server, key, mailbox string, ids []uint64) {
	t.Helper()
	uv, err := s.UIDValidity(mailbox)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ledgerOf(a, key).start(uv); err != nil {
		t.Fatal(err)
	}
	marks := map[uint64]uint32{}
	for _, id := range ids {
		marks[id] = 0
	}
	if err := ledgerOf(a, key).mark(statePending, marks); err != nil {
		t.Fatal(err)
	}
}

// A run that finds a record examines the mailbox read-only to check it,
// then appends on the same connection. Courier refuses an APPEND into
// the mailbox the connection has examined, until UNSELECT or CLOSE (it
// announces no UNSELECT); the run leaves the mailbox first either way.
func TestRestoreAfterExamine(t *testing.T) {
	for name, opts := range map[string]imaptest.Options{
		"Courier: CLOSE":           imaptest.Courier(),
		"with UNSELECT":            func() imaptest.Options { o := imaptest.Courier(); o.HideCaps = nil; return o }(),
		"plain server, no refusal": {},
	} {
		t.Run(name, func(t *testing.T) {
			quickSettling(t) // the pending were never sent
			s := imaptest.Start(t, opts)
			a := newArchive(t)
			ids := fill(t, a, 20, 41)
			o := testOptions(s, "Restored")
			o.Connections = 1 // the connection that examined is the one that sends
			if sum, err := Run(context.Background(), a, ids[:8], o); err != nil || !sum.Complete() {
				t.Fatalf("first run: %v, %+v", err, sum)
			}
			// Resumed: some pending, as a killed run leaves them.
			key := o.Target
			key.Mailbox = (names{prefix: opts.Prefix, delim: opts.Delim}).spell("Restored")
			markPending(t, a, s, key.Key(), key.Mailbox, ids[8:12])
			sum, err := Run(context.Background(), a, ids, o)
			if err != nil || !sum.Complete() || sum.Already != 8 || sum.Sent != 12 {
				t.Fatalf("second run: %v, %+v %+v", err, sum, sum.Failed)
			}
			once(t, a, s, key.Mailbox, ids, 0)
		})
	}
}

// A server that takes fewer connections than asked for: the run goes on
// with those it has, and says why it had fewer.
func TestRestoreConnectionLimit(t *testing.T) {
	s := imaptest.Start(t, imaptest.Options{MaxConnections: 2})
	a := newArchive(t)
	ids := fill(t, a, 100, 44)
	o := testOptions(s, "INBOX")
	o.Connections = 4
	sum, err := Run(context.Background(), a, ids, o)
	if err != nil || !sum.Complete() {
		t.Fatalf("%v, %+v", err, sum)
	}
	const why = "Maximum number of connections"
	if sum.Unopened != 2 || !strings.Contains(sum.UnopenedWhy, why) || !strings.Contains(sum.String(), "2 connections could not be opened") {
		t.Fatalf("fewer connections, not said why: %+v\n%s", sum, sum)
	}
	once(t, a, s, "INBOX", ids, 0)
}
