package credentials

import (
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"popvault/archive"
	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/internal/mailgen"
)

// env is an archive, a test server and a fetcher that signs in with a
// Store, wired together as the window and the command line wire them.
type env struct {
	t       *testing.T
	arch    *archive.Archive
	server  *pop3test.Server
	fetcher *fetch.Fetcher
	store   *Store
	acct    fetch.Account
	orig    []pop3test.Message
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

// accountOn is an account named name on s.
func accountOn(s *pop3test.Server, name string) fetch.Account {
	port, _ := strconv.Atoi(s.Addr[strings.LastIndexByte(s.Addr, ':')+1:])
	return fetch.Account{Name: name, Host: "127.0.0.1", Port: port, Security: fetch.SecurityTLS, User: "alice", KeepOnServer: true}
}

func newEnv(t *testing.T, cfg pop3test.Config, keep bool) *env {
	t.Helper()
	arch := openArchive(t)
	s := pop3test.NewTLSServer(cfg)
	t.Cleanup(s.Close)
	secrets := &MemorySecrets{}
	secrets.Set("test", "secret")
	store := &Store{Passwords: secrets}
	acct := accountOn(s, "test")
	acct.KeepOnServer, acct.Timeout = keep, fetch.Duration(2*time.Second)
	return &env{t: t, arch: arch, server: s, orig: cfg.Messages, store: store, acct: acct,
		fetcher: &fetch.Fetcher{Archive: arch, Secrets: store, RootCAs: s.CertPool(), BatchCount: 7}}
}

// fetch runs a fetch and waits until the server has seen its sessions
// end, as the next run would find it.
func (e *env) fetch() fetch.Result {
	r := e.fetcher.Fetch(context.Background(), e.acct)
	e.server.WaitSessions()
	return r
}

// check asserts the promise: every original message is in the archive or
// still on the server, byte for byte; the archive holds each once.
func (e *env) check() {
	e.t.Helper()
	inArchive := map[[32]byte]int{}
	p, err := e.arch.List(archive.Query{Limit: 100000})
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
	for _, m := range e.orig {
		h := sha256.Sum256(m.Data)
		if inArchive[h] == 0 && !server[h] {
			e.t.Fatalf("message %s lost", m.UID)
		}
	}
	for _, n := range inArchive {
		if n > 1 {
			e.t.Fatalf("a message is stored %d times", n)
		}
	}
}
