package fetch

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"popvault/fetch/pop3test"
)

// turns counts the round trips of a POP3 conversation after the TLS
// handshake, from its log: each time the client reads a reply after
// sending (or reads the greeting before sending anything), it waited
// for the server once. A QUIT not waited for is no round trip.
func turns(log string) int {
	n, last := 0, byte('C')
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		if line == "" {
			continue
		}
		if line[0] == 'S' && last == 'C' {
			n++
		}
		last = line[0]
	}
	return n
}

// TestNothingNewRoundTrips: the check that finds nothing new, which is
// most of a schedule's, costs two round trips after the TLS handshake
// (the login with the greeting, then the listing) once a session has
// learnt the server; the first check costs four (the greeting, CAPA,
// the login, the listing). Nothing of a check's outcome changes.
func TestNothingNewRoundTrips(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(5)}, true)
	if err := SaveAccount(e.arch, e.acct); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	e.fetcher.DebugWriter = &log
	want := []struct {
		what      string
		new       int
		turns     int
		capaFirst bool // CAPA is the first command
	}{
		{"first fetch", 5, 7, true}, // and LIST, RETR, QUIT
		{"first check", 0, 2, false},
		{"second check", 0, 2, false},
	}
	for _, w := range want {
		log.Reset()
		r := e.fetch()
		if r.Err != nil || r.New != w.new {
			t.Fatalf("%s: %d new, err %v\n%s", w.what, r.New, r.Err, &log)
		}
		if n := turns(log.String()); n != w.turns {
			t.Errorf("%s: %d round trips, want %d:\n%s", w.what, n, w.turns, &log)
		}
		if got := strings.HasPrefix(log.String(), "S: +OK pop3test ready\nC: CAPA\n"); got != w.capaFirst {
			t.Errorf("%s: began with CAPA after the greeting: %v, want %v:\n%s", w.what, got, w.capaFirst, &log)
		}
	}
	if n := e.server.Sessions(); n != len(want) {
		t.Errorf("%d sessions for %d fetches", n, len(want))
	}
	e.check()
}

// TestKnownServerChanged: a server that no longer takes a login before
// its greeting (here one that drops a client that talks first) fails the
// check that went by what was learnt; the same fetch goes the long way
// at once and succeeds, and the next checks go the long way without
// trying again, so that such a server costs one failed try, not one a
// check.
func TestKnownServerChanged(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(3)}, true)
	if err := SaveAccount(e.arch, e.acct); err != nil {
		t.Fatal(err)
	}
	if r := e.fetch(); r.Err != nil || r.New != 3 {
		t.Fatalf("first fetch: %d new, err %v", r.New, r.Err)
	}
	e.server.SetFaults(pop3test.Faults{GreetingPause: 100 * time.Millisecond})
	var log bytes.Buffer
	e.fetcher.DebugWriter = &log
	for i, sessions := range []int{2, 1, 1} {
		log.Reset()
		before := e.server.Sessions()
		r := e.fetch()
		if r.Err != nil || r.New != 0 {
			t.Fatalf("check %d: %d new, err %v\n%s", i+1, r.New, r.Err, &log)
		}
		if n := e.server.Sessions() - before; n != sessions {
			t.Errorf("check %d: %d sessions, want %d\n%s", i+1, n, sessions, &log)
		}
	}
	if n := e.server.Fired(); n != 1 {
		t.Errorf("the server dropped %d clients that talked first, want 1", n)
	}
	e.check()
}
