package deliver

import (
	"context"
	"crypto/sha256"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"popvault/archive"
	"popvault/credentials"
	"popvault/fetch"
	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
)

// env is one Dovecot serving both sides: alice's mail over POP3, fetched
// into an archive and delivered into bob's INBOX over IMAPS.
type env struct {
	d    *dovecot.Server
	a    *archive.Archive
	f    *fetch.Fetcher
	svc  *Service
	acct fetch.Account
	mem  *credentials.MemorySecrets
	// slept are the pauses the service asked for.
	slept []time.Duration
}

// mode is what a fetch does with the server's copy.
type mode int

const (
	keepMode mode = iota
	deleteMode
	deleteAfterDaysMode
)

func newEnv(t *testing.T, opts dovecot.Options, m mode, msgs ...[]byte) *env {
	t.Helper()
	opts.IMAP = true
	d := dovecot.StartForTestWith(t, opts, msgs...)
	a, err := archive.Open(filepath.Join(t.TempDir(), "archive.db"), &archive.Options{NoFullText: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	e := &env{d: d, a: a, mem: &credentials.MemorySecrets{}}
	e.acct = fetch.Account{Name: "old", ID: "ID1", Host: "127.0.0.1", Port: d.TLSPort, Security: fetch.SecurityTLS,
		User: d.User, CAFile: d.CAFile, KeepOnServer: m != deleteMode,
		Deliver: &fetch.Delivery{Host: "127.0.0.1", Port: d.IMAPTLSPort, User: d.User2, Mailbox: "INBOX", Since: time.Now().Add(-time.Second)}}
	if m == deleteAfterDaysMode {
		e.acct.DeleteAfterDays = 3
	}
	if err := credentials.SetPassword(e.mem, e.acct, d.Password); err != nil {
		t.Fatal(err)
	}
	if err := SetPassword(e.mem, e.acct, d.Password2); err != nil {
		t.Fatal(err)
	}
	store := &credentials.Store{Passwords: e.mem}
	e.svc = &Service{Archive: a, SignIn: SignInFrom(a, store), RootCAs: d.Pool, Timeout: 10 * time.Second,
		Waits: []time.Duration{time.Second, 2 * time.Second},
		Sleep: func(_ context.Context, d time.Duration) error { e.slept = append(e.slept, d); return nil }}
	e.f = &fetch.Fetcher{Archive: a, Secrets: store, Deliver: e.svc}
	return e
}

func corpus(n int, seed uint64) [][]byte {
	var out [][]byte
	for _, m := range mailgen.Corpus(n, seed) {
		out = append(out, m.Data)
	}
	return out
}

func (e *env) fetch(t *testing.T) fetch.Result {
	t.Helper()
	return e.f.Fetch(context.Background(), e.acct)
}

// target is one message as bob's INBOX holds it.
type target struct {
	raw  []byte
	seen bool
	date time.Time
}

func (e *env) target(t *testing.T) []target {
	t.Helper()
	c, err := e.d.DialIMAP()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, &imap.FetchOptions{Flags: true, InternalDate: true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []target
	for _, m := range msgs {
		o := target{date: m.InternalDate}
		for _, f := range m.Flags {
			o.seen = o.seen || f == imap.FlagSeen
		}
		if len(m.BodySection) == 1 {
			o.raw = m.BodySection[0].Bytes
		}
		out = append(out, o)
	}
	return out
}

// onceEach checks that the archive holds want messages, and the target
// each of them once, byte for byte, unread, dated when it was fetched.
func (e *env) onceEach(t *testing.T, want int) {
	t.Helper()
	p, err := e.a.List(archive.Query{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Messages) != want {
		t.Errorf("the archive holds %d messages, want %d", len(p.Messages), want)
	}
	copies := map[[32]byte][]target{}
	got := e.target(t)
	for _, m := range got {
		copies[sha256.Sum256(m.raw)] = append(copies[sha256.Sum256(m.raw)], m)
	}
	if len(got) != want {
		t.Errorf("the target holds %d messages, want %d", len(got), want)
	}
	for _, s := range p.Messages {
		c := copies[s.SHA256]
		switch {
		case len(c) != 1:
			t.Errorf("message %d (%q) is in the target %d times", s.ID, s.Subject, len(c))
		case c[0].seen:
			t.Errorf("message %d is delivered read", s.ID)
		case !c[0].date.Equal(s.Arrived.Truncate(time.Second)):
			t.Errorf("message %d: INTERNALDATE %v, want when it was fetched, %v", s.ID, c[0].date, s.Arrived)
		}
	}
}

func (e *env) onSource(t *testing.T) int {
	t.Helper()
	n, err := e.d.Count()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// throughGate sends the service's connections to the target through a
// gate, which counts them.
func (e *env) throughGate(t *testing.T) *gate {
	g := newGate(t, e.d.IMAPTLSAddr())
	e.acct.Deliver.Port = g.port()
	return g
}

// gate stands between the service and the target, and can be shut: a
// target that is down refuses connections.
type gate struct {
	t    *testing.T
	to   string
	addr string
	mu   sync.Mutex
	ln   net.Listener
	// accepted counts the connections made through the gate.
	accepted atomic.Int64
}

func newGate(t *testing.T, to string) *gate {
	g := &gate{t: t, to: to}
	g.open()
	g.addr = g.ln.Addr().String()
	t.Cleanup(g.shut)
	return g
}

func (g *gate) port() int { _, p, _ := net.SplitHostPort(g.addr); n, _ := strconv.Atoi(p); return n }

func (g *gate) open() {
	addr := "127.0.0.1:0"
	if g.addr != "" {
		addr = g.addr
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		g.t.Fatal(err)
	}
	g.mu.Lock()
	g.ln = ln
	g.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			g.accepted.Add(1)
			go func() {
				defer c.Close()
				s, err := net.Dial("tcp", g.to)
				if err != nil {
					return
				}
				defer s.Close()
				go func() { io.Copy(s, c); s.Close() }()
				io.Copy(c, s)
			}()
		}
	}()
}

func (g *gate) shut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ln != nil {
		g.ln.Close()
		g.ln = nil
	}
}
