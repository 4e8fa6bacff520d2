package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"popvault/archive"
	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
	"popvault/oauth"
	"popvault/oauth/oauthtest"
	"popvault/tools/latency"
)

// dovecotEnv runs the engine against a real Dovecot holding n generated
// messages.
func dovecotEnv(t *testing.T, n int, keep bool, security Security) (*Fetcher, Account, *dovecot.Server, [][]byte) {
	t.Helper()
	var msgs [][]byte
	for _, m := range mailgen.Corpus(n, 9) {
		msgs = append(msgs, m.Data)
	}
	d := dovecot.StartForTest(t, msgs...)
	arch, err := archive.Open(filepath.Join(t.TempDir(), "a.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { arch.Close() })
	secrets := &MemorySecrets{}
	secrets.Set("dovecot", d.Password)
	port := d.TLSPort
	if security != SecurityTLS {
		port = d.Port
	}
	acct := Account{Name: "dovecot", Host: "127.0.0.1", Port: port, Security: security, User: d.User, KeepOnServer: keep, CAFile: d.CAFile}
	return &Fetcher{Archive: arch, Secrets: secrets}, acct, d, msgs
}

// sameBytes checks that the archive holds exactly msgs, byte for byte.
func sameBytes(t *testing.T, arch *archive.Archive, msgs [][]byte) {
	t.Helper()
	want := map[[32]byte]bool{}
	for _, m := range msgs {
		want[sha256.Sum256(m)] = true
	}
	p, err := arch.List(archive.Query{Limit: 1 << 20})
	if err != nil || len(p.Messages) != len(msgs) {
		t.Fatalf("archive lists %d of %d: %v", len(p.Messages), len(msgs), err)
	}
	for _, s := range p.Messages {
		raw, err := arch.Raw(s.ID)
		if err != nil || !want[sha256.Sum256(raw)] {
			t.Fatalf("message %d differs from every source file (%v)", s.ID, err)
		}
	}
}

// TestDovecotKeepTwice: a second fetch in keep mode downloads nothing,
// and goes by what the first learnt of the server (see known.go): its
// login with the TLS handshake, no CAPA before it. Checks after that cost
// two round trips after TLS, or five with STLS (the greeting, CAPA and
// STLS before TLS, then the login and the listing).
func TestDovecotKeepTwice(t *testing.T) {
	for security, trips := range map[Security]int{SecurityTLS: 2, SecurityStartTLS: 5} {
		t.Run(string(security), func(t *testing.T) {
			f, acct, d, msgs := dovecotEnv(t, 200, true, security)
			if err := SaveAccount(f.Archive, acct); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if r := f.Fetch(ctx, acct); r.Err != nil || r.New != 200 {
				t.Fatalf("first: %+v", r)
			}
			n1, _ := d.Retrieved()
			var log bytes.Buffer
			f.DebugWriter = &log
			for _, check := range []string{"second", "third"} {
				log.Reset()
				if r := f.Fetch(ctx, acct); r.Err != nil || r.New != 0 {
					t.Fatalf("%s: %+v", check, r)
				}
				if n := turns(log.String()); n != trips {
					t.Errorf("%s: %d round trips, want %d:\n%s", check, n, trips, &log)
				}
			}
			if n2, _ := d.Retrieved(); n2 != n1 || n1 != 200 {
				t.Fatalf("Dovecot logged %d then %d retrievals", n1, n2)
			}
			sameBytes(t, f.Archive, msgs)
			if left, _ := d.Count(); left != 200 {
				t.Fatalf("%d left on the server", left)
			}
		})
	}
}

func TestDovecotDeleteMode(t *testing.T) {
	f, acct, d, msgs := dovecotEnv(t, 150, false, SecurityStartTLS)
	if r := f.Fetch(context.Background(), acct); r.Err != nil || r.New != 150 || r.Deleted != 150 {
		t.Fatalf("fetch: %+v", r)
	}
	if left, _ := d.Count(); left != 0 {
		t.Fatalf("%d left on the server", left)
	}
	sameBytes(t, f.Archive, msgs)
}

func TestDovecotDeleteAfterDays(t *testing.T) {
	f, acct, d, msgs := dovecotEnv(t, 40, true, SecurityTLS)
	acct.DeleteAfterDays = 30
	now := time.Now()
	f.Now = func() time.Time { return now }
	ctx := context.Background()
	if r := f.Fetch(ctx, acct); r.Err != nil || r.Deleted != 0 {
		t.Fatalf("day 0: %+v", r)
	}
	extra := bytes.Replace(msgs[0], []byte("Message-ID: <"), []byte("Message-ID: <late."), 1)
	d.Deliver(extra)
	now = now.Add(29 * 24 * time.Hour)
	if r := f.Fetch(ctx, acct); r.Err != nil || r.Deleted != 0 || r.New != 1 {
		t.Fatalf("day 29: %+v", r)
	}
	now = now.Add(2 * 24 * time.Hour)
	if r := f.Fetch(ctx, acct); r.Err != nil || r.Deleted != 40 {
		t.Fatalf("day 31: %+v", r)
	}
	if left, _ := d.Count(); left != 1 {
		t.Fatalf("%d left on the server, want the late one", left)
	}
	sameBytes(t, f.Archive, append(msgs, extra))
}

// BenchmarkNothingNew checks a 10,000-message kept mailbox that was all
// fetched before: the engine's part of `popvault fetch` when nothing is
// new, most of which is Dovecot's own work.
func BenchmarkNothingNew(b *testing.B) {
	d, err := dovecot.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	g := mailgen.New(5)
	for i := 0; i < 10000; i += 1000 {
		var batch [][]byte
		for j := 0; j < 1000; j++ {
			batch = append(batch, g.NextSmall().Data)
		}
		if err := d.Deliver(batch...); err != nil {
			b.Fatal(err)
		}
	}
	arch, err := archive.Open(filepath.Join(b.TempDir(), "a.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer arch.Close()
	secrets := &MemorySecrets{}
	secrets.Set("d", d.Password)
	f := &Fetcher{Archive: arch, Secrets: secrets}
	acct := Account{Name: "d", Host: "127.0.0.1", Port: d.TLSPort, Security: SecurityTLS, User: d.User, KeepOnServer: true, CAFile: d.CAFile}
	if r := f.Fetch(context.Background(), acct); r.Err != nil || r.New != 10000 {
		b.Fatalf("fill: %+v", r)
	}
	if err := arch.SearchIndex().Wait(context.Background()); err != nil { // not to be timed
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if r := f.Fetch(context.Background(), acct); r.Err != nil || r.New != 0 {
			b.Fatalf("check: %+v", r)
		}
	}
}

// BenchmarkDownload1000 downloads 1,000 messages of the usual mix (97 MB)
// from Dovecot over TLS in keep mode, without the full-text index and with
// it (the fetch then counts until the new mail is searchable), to measure
// what indexing adds to a fetch.
func BenchmarkDownload1000(b *testing.B) {
	d, err := dovecot.Start()
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var msgs [][]byte
	for _, m := range mailgen.Corpus(1000, 9) {
		msgs = append(msgs, m.Data)
	}
	if err := d.Deliver(msgs...); err != nil {
		b.Fatal(err)
	}
	secrets := &MemorySecrets{}
	secrets.Set("d", d.Password)
	acct := Account{Name: "d", Host: "127.0.0.1", Port: d.TLSPort, Security: SecurityTLS, User: d.User, KeepOnServer: true, CAFile: d.CAFile}
	for _, c := range []struct {
		name string
		opts *archive.Options
		wait bool // count the time until the new mail is searchable
	}{{"headers-only", &archive.Options{NoFullText: true}, false}, {"full-text-background", nil, false}, {"full-text-searchable", nil, true}} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				arch, err := archive.Open(filepath.Join(b.TempDir(), "a.db"), c.opts)
				if err != nil {
					b.Fatal(err)
				}
				f := &Fetcher{Archive: arch, Secrets: secrets}
				b.StartTimer()
				if r := f.Fetch(context.Background(), acct); r.Err != nil || r.New != 1000 {
					b.Fatalf("%+v", r)
				}
				if !c.wait {
					b.StopTimer()
				}
				if c.opts == nil {
					if err := arch.SearchIndex().Wait(context.Background()); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				size, _ := arch.Size()
				arch.Close() // first: the index drops merged-away files on closing
				if c.wait {
					index := arch.SearchIndex().Size()
					b.ReportMetric(float64(index)/1e6, "index-MB")
					b.ReportMetric(float64(index)/float64(size), "index/archive")
				}
				b.StartTimer()
			}
		})
	}
}

// BenchmarkFetchAllFive fetches five accounts at once, each on a Dovecot
// of its own behind a 40 ms link, 200 messages of the usual mix each: the
// engine's part of make bench's accounts table, in process, for -trace
// and -cpuprofile.
func BenchmarkFetchAllFive(b *testing.B) {
	var accts []Account
	secrets := &MemorySecrets{}
	for i := range 5 {
		d, err := dovecot.Start()
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		var msgs [][]byte
		for _, m := range mailgen.Corpus(200, uint64(300+i)) {
			msgs = append(msgs, m.Data)
		}
		if err := d.Deliver(msgs...); err != nil {
			b.Fatal(err)
		}
		p, err := latency.New(d.TLSAddr(), 40*time.Millisecond)
		if err != nil {
			b.Fatal(err)
		}
		defer p.Close()
		port, _ := strconv.Atoi(p.Addr[strings.LastIndexByte(p.Addr, ':')+1:])
		name := fmt.Sprintf("account%d", i+1)
		secrets.Set(name, d.Password)
		accts = append(accts, Account{Name: name, Host: "localhost", Port: port, Security: SecurityTLS, User: d.User, KeepOnServer: true, CAFile: d.CAFile})
	}
	for range b.N {
		b.StopTimer()
		arch, err := archive.Open(filepath.Join(b.TempDir(), "a.db"), &archive.Options{NoFullText: true})
		if err != nil {
			b.Fatal(err)
		}
		f := &Fetcher{Archive: arch, Secrets: secrets}
		b.StartTimer()
		for _, r := range f.FetchAll(context.Background(), accts, 0, nil) {
			if r.Err != nil || r.New != 200 {
				b.Fatalf("%+v", r)
			}
		}
		b.StopTimer()
		arch.Close()
		b.StartTimer()
	}
}

// A real Dovecot checking OAuth tokens: its oauth2 passdb introspects
// each token at the local provider. An account signed in there fetches
// over TLS with no password; a revoked sign-in is refused and asks for
// a new one.
func TestDovecotOAuth(t *testing.T) {
	p := oauthtest.NewServer("popvault-test", "installed-app-secret")
	defer p.Close()
	var msgs [][]byte
	for _, m := range mailgen.Corpus(20, 13) {
		msgs = append(msgs, m.Data)
	}
	d := dovecot.StartForTestWith(t, dovecot.Options{Introspection: p.URL + "/introspect"}, msgs...)
	arch, err := archive.Open(filepath.Join(t.TempDir(), "a.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { arch.Close() })
	f := &Fetcher{Archive: arch, Secrets: signedInAt(t, p)}
	acct := Account{Name: "d", Host: "127.0.0.1", Port: d.TLSPort, User: d.User, KeepOnServer: true, CAFile: d.CAFile, OAuth: oauth.ProviderCustom}
	if r := f.Fetch(context.Background(), acct); r.Err != nil || r.New != len(msgs) {
		t.Fatalf("fetch: %+v", r)
	}
	sameBytes(t, arch, msgs)
	if p.Count("introspect") == 0 {
		t.Fatal("Dovecot never asked the provider")
	}
	p.Revoke()
	if r := f.Fetch(context.Background(), acct); !NeedsSignIn(r.Err) {
		t.Fatalf("a revoked sign-in: %v", r.Err)
	}
}
