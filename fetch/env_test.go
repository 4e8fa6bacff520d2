package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"popvault/archive"
	"popvault/fetch/pop3test"
	"popvault/internal/mailgen"
)

// env is an archive, a test server and a fetcher wired together.
type env struct {
	t       *testing.T
	arch    *archive.Archive
	server  *pop3test.Server
	fetcher *Fetcher
	acct    Account
	orig    []pop3test.Message
}

func corpus(n int) []pop3test.Message {
	var out []pop3test.Message
	for i, m := range mailgen.Corpus(n, uint64(n)) {
		out = append(out, pop3test.Message{UID: fmt.Sprintf("UID%05d", i), Data: m.Data})
	}
	return out
}

// smallCorpus is quick: text messages of 2-8 KB.
func smallCorpus(n int) []pop3test.Message {
	g := mailgen.New(uint64(n) + 1000)
	var out []pop3test.Message
	for i := range n {
		out = append(out, pop3test.Message{UID: fmt.Sprintf("UID%05d", i), Data: g.NextSmall().Data})
	}
	return out
}

func openArchive(t *testing.T) *archive.Archive {
	t.Helper()
	arch, err := archive.Open(filepath.Join(t.TempDir(), "a.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { arch.Close() })
	return arch
}

func newEnv(t *testing.T, cfg pop3test.Config, keep bool) *env {
	t.Helper()
	arch := openArchive(t)
	s := pop3test.NewTLSServer(cfg)
	t.Cleanup(s.Close)
	port, _ := strconv.Atoi(s.Addr[strings.LastIndexByte(s.Addr, ':')+1:])
	secrets := &MemorySecrets{}
	secrets.Set("test", "secret")
	e := &env{t: t, arch: arch, server: s, orig: cfg.Messages,
		fetcher: &Fetcher{Archive: arch, Secrets: secrets, RootCAs: s.CertPool(), BatchCount: 7},
		acct:    Account{Name: "test", Host: "127.0.0.1", Port: port, Security: SecurityTLS, User: "alice", KeepOnServer: keep, Timeout: Duration(2 * time.Second)},
	}
	return e
}

// fetch runs a fetch and waits until the server has seen its sessions
// end, as the next run would find it: a QUIT sent without waiting for the
// reply, or a close, reaches the server a moment after the fetch returns,
// and a fetch started sooner could find the maildrop still locked.
func (e *env) fetch() Result {
	r := e.fetcher.Fetch(context.Background(), e.acct)
	e.server.WaitSessions()
	return r
}

// check asserts the promise: every original message is in the archive or
// still on the server, byte for byte; the archive holds each once; the
// server holds nothing that was not there.
func (e *env) check() (archived, onServer int) {
	e.t.Helper()
	inArchive := map[[32]byte]int{}
	page := archive.Query{Limit: 100000}
	p, err := e.arch.List(page)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range p.Messages {
		raw, err := e.arch.Raw(s.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		inArchive[sha256.Sum256(raw)]++
	}
	server := map[[32]byte]bool{}
	for _, m := range e.server.Messages() {
		server[sha256.Sum256(m.Data)] = true
	}
	orig := map[[32]byte]bool{}
	for _, m := range e.orig {
		h := sha256.Sum256(m.Data)
		orig[h] = true
		if inArchive[h] == 0 && !server[h] {
			e.t.Fatalf("message %s lost", m.UID)
		}
	}
	for h, n := range inArchive {
		if n > 1 {
			e.t.Fatalf("a message is stored %d times", n)
		}
		if !orig[h] {
			e.t.Fatal("the archive holds bytes the server never had")
		}
	}
	return len(inArchive), len(server)
}

func TestKeepModeTwice(t *testing.T) {
	msgs := corpus(120)
	e := newEnv(t, pop3test.Config{Messages: msgs}, true)
	if r := e.fetch(); r.Err != nil || r.New != 120 || r.Deleted != 0 {
		t.Fatalf("first fetch: %+v", r)
	}
	retr := e.server.Count("RETR")
	if r := e.fetch(); r.Err != nil || r.New != 0 {
		t.Fatalf("second fetch: %+v", r)
	}
	if e.server.Count("RETR") != retr {
		t.Fatal("second fetch downloaded again")
	}
	if a, s := e.check(); a != 120 || s != 120 {
		t.Fatalf("archive %d, server %d", a, s)
	}
}

func TestDeleteMode(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: corpus(80)}, false)
	if r := e.fetch(); r.Err != nil || r.New != 80 || r.Deleted != 80 {
		t.Fatalf("fetch: %+v", r)
	}
	if a, s := e.check(); a != 80 || s != 0 {
		t.Fatalf("archive %d, server %d", a, s)
	}
}

func TestDeleteAfterDays(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(30)}, true)
	e.acct.DeleteAfterDays = 7
	now := time.Now()
	e.fetcher.Now = func() time.Time { return now }
	if r := e.fetch(); r.Err != nil || r.Deleted != 0 {
		t.Fatalf("day 0: %+v", r)
	}
	later := pop3test.Message{UID: "later", Data: smallCorpus(31)[30].Data} // first seen on day 6
	e.server.Add(later)
	e.orig = append(e.orig, later)
	now = now.Add(6 * 24 * time.Hour)
	if r := e.fetch(); r.Err != nil || r.Deleted != 0 || r.New != 1 {
		t.Fatalf("day 6: %+v", r)
	}
	now = now.Add(2 * 24 * time.Hour)
	if r := e.fetch(); r.Err != nil || r.Deleted != 30 {
		t.Fatalf("day 8: %+v", r)
	}
	if a, s := e.check(); a != 31 || s != 1 {
		t.Fatalf("archive %d, server %d", a, s)
	}
}

func TestNoUIDL(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(5), NoUIDL: true}, true)
	if r := e.fetch(); r.Err == nil || !strings.Contains(r.Err.Error(), "UIDL") {
		t.Fatalf("keep mode without UIDL: %v", r.Err)
	}
	e.acct.KeepOnServer = false
	if r := e.fetch(); r.Err != nil || r.New != 5 || r.Deleted != 5 {
		t.Fatalf("delete mode without UIDL: %+v", r)
	}
	e.check()
}

// Two different messages under one UID: both are stored, and in delete
// mode each is deleted only once its own bytes are stored.
func TestDuplicateUIDs(t *testing.T) {
	msgs := smallCorpus(4)
	msgs[1].UID, msgs[3].UID = "same", "same"
	for _, keep := range []bool{true, false} {
		e := newEnv(t, pop3test.Config{Messages: msgs}, keep)
		for range 2 {
			if r := e.fetch(); r.Err != nil {
				t.Fatal(r.Err)
			}
		}
		if a, _ := e.check(); a != 4 {
			t.Fatalf("keep=%v: %d archived", keep, a)
		}
	}
}

func TestGmailSessions(t *testing.T) {
	msgs := smallCorpus(600)
	e := newEnv(t, pop3test.Config{Messages: msgs, Gmail: true}, true)
	r := e.fetch()
	if r.Err != nil || r.New != 600 || r.Sessions < 3 {
		t.Fatalf("fetch: %+v", r)
	}
	if a, _ := e.check(); a != 600 {
		t.Fatalf("archived %d", a)
	}
	// recent: lists everything again; nothing is stored twice or deleted.
	e.acct.User = "recent:alice"
	if r := e.fetch(); r.Err != nil || r.New != 0 || r.Deleted != 0 {
		t.Fatalf("recent: %+v", r)
	}
	e.acct.KeepOnServer = false
	if acct := e.acct.WithDefaults(); acct.Check() == nil {
		t.Fatal("recent: with delete mode was accepted")
	}
}

func TestErrorsAreClassified(t *testing.T) {
	e := newEnv(t, pop3test.Config{Faults: pop3test.Faults{LoginCode: "IN-USE"}}, true)
	if r := e.fetch(); !IsTemporary(r.Err) {
		t.Fatalf("[IN-USE] not temporary: %v", r.Err)
	}
	e = newEnv(t, pop3test.Config{}, true)
	e.fetcher.Secrets.(*MemorySecrets).Set("test", "wrong")
	r := e.fetch()
	if r.Err == nil || IsTemporary(r.Err) || strings.Contains(r.Err.Error(), "wrong") {
		t.Fatalf("bad password: %v", r.Err)
	}
}

func TestProgress(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(10)}, true)
	e.fetcher.BatchCount = 4
	var last Progress
	var stages []Stage
	var commits []int
	e.fetcher.Progress = func(p Progress) {
		if len(stages) == 0 || stages[len(stages)-1] != p.Stage {
			stages = append(stages, p.Stage)
		}
		if p.Stage == StageDownloading {
			last = p
		}
	}
	e.fetcher.Committed = func(account string, n int) { commits = append(commits, n) }
	e.fetch()
	if last.Messages != 10 || last.MessagesTotal != 10 || last.Bytes != last.BytesTotal || last.Subject == "" {
		t.Fatalf("progress %+v", last)
	}
	if fmt.Sprint(commits) != "[4 8 10]" {
		t.Fatalf("commits reported: %v", commits)
	}
	want := []Stage{StageConnecting, StageListing, StageDownloading, StageDone}
	if fmt.Sprint(stages) != fmt.Sprint(want) {
		t.Fatalf("stages %v", stages)
	}
}

// RFC 1939 lets a server give a gone message's UID to a new one. Once a
// session has seen the UID gone, the new message under it is new mail:
// fetched in keep mode, never deleted unread in delete mode, and in
// delete-after-days mode stored before anything is deleted.
func TestReusedUID(t *testing.T) {
	msgs := smallCorpus(6)
	reused := pop3test.Message{UID: msgs[2].UID, Data: smallCorpus(7)[6].Data}
	for _, mode := range []string{"keep", "delete", "delete after days"} {
		t.Run(mode, func(t *testing.T) {
			e := newEnv(t, pop3test.Config{Messages: msgs[:5]}, mode != "delete")
			now := time.Now()
			e.fetcher.Now = func() time.Time { return now }
			if mode == "delete after days" {
				e.acct.DeleteAfterDays = 7
			}
			if r := e.fetch(); r.Err != nil || r.New != 5 {
				t.Fatalf("first fetch: %+v", r)
			}
			switch mode {
			case "keep":
				e.server.Remove(msgs[2].UID) // gone: another client deleted it
				if r := e.fetch(); r.Err != nil {
					t.Fatal(r.Err)
				}
			case "delete after days":
				now = now.Add(8 * 24 * time.Hour)
				if r := e.fetch(); r.Err != nil || r.Deleted != 5 {
					t.Fatalf("day 8: %+v", r)
				}
			}
			e.server.Add(reused)
			e.orig = append(e.orig, reused)
			r := e.fetch()
			if r.Err != nil || r.New != 1 {
				t.Fatalf("the message under a reused UID: %+v", r)
			}
			if archived, _ := e.check(); archived != 6 {
				t.Fatalf("archived %d, want 6", archived)
			}
		})
	}
}

// A message deleted from the archive is never deleted from a server
// later: not by "delete after N days", nor in delete mode when an earlier
// session stored it but could not delete it.
func TestNotDeletedOnServerOnceGoneFromArchive(t *testing.T) {
	msgs := smallCorpus(5)
	for _, mode := range []string{"delete after days", "delete"} {
		t.Run(mode, func(t *testing.T) {
			cfg := pop3test.Config{Messages: msgs}
			if mode == "delete" {
				cfg.Faults.Drop = &pop3test.Trigger{Command: "DELE"} // stored, not deleted
			}
			e := newEnv(t, cfg, mode != "delete")
			e.acct.DeleteAfterDays = 7
			now := time.Now()
			e.fetcher.Now = func() time.Time { return now }
			e.fetch()
			if n := len(e.server.Messages()); n != 5 {
				t.Fatalf("%d on the server after the first fetch", n)
			}
			p, _ := e.arch.List(archive.Query{})
			gone := p.Messages[0]
			if err := e.arch.Delete(gone.ID); err != nil {
				t.Fatal(err)
			}
			e.server.SetFaults(pop3test.Faults{})
			now = now.Add(8 * 24 * time.Hour)
			if r := e.fetch(); r.Err != nil || r.Deleted != 4 {
				t.Fatalf("second fetch: %+v", r)
			}
			left := e.server.Messages()
			if len(left) != 1 || sha256.Sum256(left[0].Data) != gone.SHA256 {
				t.Fatalf("the server holds %d messages; the one deleted from the archive must be one", len(left))
			}
		})
	}
}

// While a fetch deletes a message's server copy, the archive refuses to
// delete it, so that the message is in one place or the other throughout.
func TestArchiveHoldsWhatAFetchDeletes(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(3)}, true)
	if r := e.fetch(); r.Err != nil {
		t.Fatal(r.Err)
	}
	p, _ := e.arch.List(archive.Query{})
	e.acct.KeepOnServer = false
	// The server stalls its answer to DELE: the fetch is mid-deletion.
	e.server.SetFaults(pop3test.Faults{Stall: &pop3test.Trigger{Command: "DELE"}, StallFor: time.Second})
	done := make(chan Result)
	go func() { done <- e.fetch() }()
	for i := 0; e.server.Count("DELE") == 0; i++ {
		if i == 500 {
			t.Fatal("no DELE")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := e.arch.Delete(p.Messages[0].ID); !errors.Is(err, archive.ErrHeld) {
		t.Fatalf("deleting what a fetch is deleting on the server: %v", err)
	}
	<-done
	if err := e.arch.Delete(p.Messages[0].ID); err != nil {
		t.Fatalf("after the fetch: %v", err)
	}
}

// Gmail's loop goes on while sessions bring mail; where it stops early
// (a bound, or a server that keeps asking for a pause), it says so.
func TestGmailSaysWhenMoreRemains(t *testing.T) {
	msgs := smallCorpus(1000)
	e := newEnv(t, pop3test.Config{Messages: msgs, Gmail: true}, true)
	e.fetcher.MaxSessions = 2
	r := e.fetch()
	if r.Err != nil || r.New != 500 || !r.More {
		t.Fatalf("bounded to 2 sessions: %+v", r)
	}
	e.fetcher.MaxSessions = 0
	e.fetcher.SessionPause = 10 * time.Millisecond
	// Every login after the first is refused with [LOGIN-DELAY]: one
	// session's mail, then a pause and three retries.
	e.server.SetFaults(pop3test.Faults{LoginCode: "LOGIN-DELAY", LoginCodeAfter: 1})
	before := e.server.Sessions()
	r = e.fetch()
	if r.Err != nil || r.New != 250 || !r.More || e.server.Sessions()-before != 5 {
		t.Fatalf("a server that asks for pauses: %+v after %d sessions", r, e.server.Sessions()-before)
	}
	e.server.SetFaults(pop3test.Faults{})
	if r := e.fetch(); r.Err != nil || r.New != 250 || r.More {
		t.Fatalf("the next fetch: %+v", r)
	}
	if a, _ := e.check(); a != 1000 {
		t.Fatalf("archived %d", a)
	}
}

// A message over the size limit stays on the server: one listed as too
// big is never retrieved; one listed as small that turns out too big ends
// the session at once. The mail before it is kept either way.
func TestOversizeMessages(t *testing.T) {
	msgs := smallCorpus(6)
	big := pop3test.Message{UID: "big", Data: append([]byte("Subject: big\r\n\r\n"), bytes.Repeat([]byte("0123456789abcde\r\n"), 200_000)...)}
	msgs = append(msgs[:3], append([]pop3test.Message{big}, msgs[3:]...)...)
	for _, lying := range []bool{false, true} {
		t.Run(fmt.Sprintf("listed size lies: %v", lying), func(t *testing.T) {
			cfg := pop3test.Config{Messages: msgs}
			if lying {
				cfg.Faults.ListSizes = map[string]int64{"big": 1000}
			}
			e := newEnv(t, cfg, false)
			e.fetcher.MaxMessageSize = 1 << 20
			r := e.fetch()
			if r.Err == nil || !strings.Contains(r.Err.Error(), "over 1 MiB") {
				t.Fatalf("fetch: %+v", r)
			}
			archived, onServer := e.check()
			switch {
			case !lying && (archived != 6 || onServer != 1 || e.server.Count("RETR") != 6):
				t.Fatalf("listed as too big: archived %d, on the server %d, %d RETRs", archived, onServer, e.server.Count("RETR"))
			case lying && (archived != 3 || onServer != 7 || e.server.Count("QUIT") != 0):
				t.Fatalf("listed as small: archived %d, on the server %d, %d QUITs", archived, onServer, e.server.Count("QUIT"))
			}
		})
	}
}

// An account's error says "fetch:" and the account once, and no package
// name of the sign-in's or the connection's: what a person reads is what
// it was when those were this package's.
func TestAccountErrorSaysFetchOnce(t *testing.T) {
	e := newEnv(t, pop3test.Config{}, true)
	e.fetcher.Secrets = &MemorySecrets{}
	r := e.fetch()
	if !errors.Is(r.Err, errNoPassword) || strings.Count(r.Err.Error(), "fetch:") != 1 || !strings.HasPrefix(r.Err.Error(), "fetch: test: ") {
		t.Fatalf("%v", r.Err)
	}
	for _, cause := range []string{"credentials: no password stored for this account", "transport: CA file /x.pem holds no PEM certificate"} {
		_, text, _ := strings.Cut(cause, ": ")
		e := &AccountError{Account: "test", Err: fmt.Errorf("%s", cause)}
		if e.Error() != "fetch: test: "+text || e.Reason() != text {
			t.Errorf("%q says %q (reason %q)", cause, e.Error(), e.Reason())
		}
	}
	// A CA file that is not there, as a fetch meets it.
	e.fetcher.Secrets.(*MemorySecrets).Set("test", "secret")
	e.acct.CAFile = filepath.Join(t.TempDir(), "missing.pem")
	if r := e.fetch(); r.Err == nil || !strings.HasPrefix(r.Err.Error(), "fetch: test: CA file: ") {
		t.Fatalf("a missing CA file: %v", r.Err)
	}
}

// A check that reads, marks and forgets nothing ends without waiting for
// QUIT's reply (a round trip at the end of most cron checks); a session
// for which the reply matters waits for it. The server here never
// answers QUIT, so a session that waits fails by its timeout.
func TestWhichSessionsWaitForQuit(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(e *env)
		waits  bool
	}{
		{"nothing new", func(*env) {}, false},
		{"a new message", func(e *env) { e.server.Add(smallCorpus(4)[3]) }, true},
		{"a message gone from the server", func(e *env) { e.server.Remove("UID00000") }, true},
		{"delete mode, deleting", func(e *env) { e.acct.KeepOnServer = false }, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, pop3test.Config{Messages: smallCorpus(3)}, true)
			if r := e.fetch(); r.Err != nil || r.New != 3 {
				t.Fatalf("%+v", r)
			}
			c.change(e)
			e.acct.Timeout = Duration(500 * time.Millisecond)
			e.server.SetFaults(pop3test.Faults{Stall: &pop3test.Trigger{Command: "QUIT"}})
			start := time.Now()
			r := e.fetch()
			if c.waits != (r.Err != nil) {
				t.Fatalf("waited for QUIT's reply: %v, want %v (%v, after %v)", r.Err != nil, c.waits, r.Err, time.Since(start))
			}
			// e.fetch waited for the server to end the session, so a QUIT
			// that nobody waited for has been read.
			if n := e.server.Count("QUIT"); n != 2 {
				t.Fatalf("%d QUITs, want one each session", n)
			}
		})
	}
}
