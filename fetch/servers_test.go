package fetch

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"popvault/archive"
	"popvault/fetch/pop3test"
	"popvault/oauth"
)

// Behaviours of real servers that nobody here wrote, as pop3test plays
// them, seen from a whole fetch.

// withUTF8Headers puts an 8-bit header line into every other message of
// msgs, as mail from a program that writes UTF-8 headers unencoded.
func withUTF8Headers(msgs []pop3test.Message) []pop3test.Message {
	out := make([]pop3test.Message, len(msgs))
	for i, m := range msgs {
		out[i] = m
		if i%2 == 0 {
			out[i].Data = append([]byte(fmt.Sprintf("X-Note: Grüße Nr. %d\r\n", i)), m.Data...)
		}
	}
	return out
}

// TestCourierDeleteMode: Courier loses what a client pipelined after its
// login, and gives a client that did not send UTF8 a notice in place of
// each message whose header holds UTF-8. In delete mode every message
// must still end in the archive, byte for byte, before it leaves the
// server.
func TestCourierDeleteMode(t *testing.T) {
	msgs := withUTF8Headers(smallCorpus(6))
	for name, cfg := range map[string]pop3test.Config{
		"login hand-off": {LoginHandoff: true},
		"UTF8 notice":    {UTF8: true},
		"both":           {LoginHandoff: true, UTF8: true},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.Messages = msgs
			e := newEnv(t, cfg, false)
			if r := e.fetch(); r.Err != nil || r.New != 6 || r.Deleted != 6 {
				t.Fatalf("fetch: %+v", r)
			}
			if a, s := e.check(); a != 6 || s != 0 {
				t.Fatalf("archive %d, server %d", a, s)
			}
			if n := e.server.Fired(); n != 0 {
				t.Errorf("the server lost commands or sent a notice %d times", n)
			}
		})
	}
}

// TestOAuthInitialResponseRefused: a custom provider's server that
// refuses the token sent with AUTH (as Office 365's POP does, whatever the
// provider) gets it in two steps: in the same session when it keeps the
// session, on a new connection when it closes it.
func TestOAuthInitialResponseRefused(t *testing.T) {
	for name, tt := range map[string]struct {
		cfg      pop3test.Config
		sessions int
	}{
		"session kept":      {cfg: pop3test.Config{NoOAuthBearer: true, TwoStepXOAuth2: true}, sessions: 1},
		"connection closed": {cfg: pop3test.Config{NoInitialResponse: true}, sessions: 2},
	} {
		t.Run(name, func(t *testing.T) {
			tt.cfg.Messages = smallCorpus(2)
			e, _ := oauthEnv(t, tt.cfg, oauth.ProviderCustom)
			if r := e.fetch(); r.Err != nil || r.New != 2 || e.server.Sessions() != tt.sessions {
				t.Fatalf("%+v after %d sessions", r, e.server.Sessions())
			}
		})
	}
}

// TestAPOPWithoutTLS: on an account the user set to no encryption, a
// server that offers APOP gets a digest, never the password; over TLS the
// password goes as USER and PASS.
func TestAPOPWithoutTLS(t *testing.T) {
	for _, security := range []Security{SecurityPlain, SecurityTLS} {
		t.Run(string(security), func(t *testing.T) {
			cfg := pop3test.Config{Messages: smallCorpus(2), APOP: true}
			var s *pop3test.Server
			if security == SecurityTLS {
				s = pop3test.NewTLSServer(cfg)
			} else {
				s = pop3test.NewServer(cfg)
			}
			defer s.Close()
			port, _ := strconv.Atoi(s.Addr[strings.LastIndexByte(s.Addr, ':')+1:])
			secrets := &MemorySecrets{}
			secrets.Set("test", "secret")
			f := &Fetcher{Archive: openArchive(t), Secrets: secrets, RootCAs: s.CertPool()}
			acct := Account{Name: "test", Host: "127.0.0.1", Port: port, Security: security, User: "alice", KeepOnServer: true}
			if r := f.Fetch(context.Background(), acct); r.Err != nil || r.New != 2 {
				t.Fatalf("%+v", r)
			}
			wantAPOP := security == SecurityPlain
			if got := s.Count("APOP") == 1 && s.Count("PASS") == 0; got != wantAPOP {
				t.Errorf("APOP %d, PASS %d: want APOP alone %v", s.Count("APOP"), s.Count("PASS"), wantAPOP)
			}
			if n := s.Count("(cleartext credential)"); n != 0 {
				t.Errorf("%d credentials sent in clear", n)
			}
		})
	}
}

// cancelAt is a debug log that cancels a fetch when the conversation
// reaches a line starting with prefix.
type cancelAt struct {
	mu     sync.Mutex
	prefix string
	cancel context.CancelFunc
}

func (c *cancelAt) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if strings.HasPrefix(string(p), c.prefix) {
		c.cancel()
	}
	return len(p), nil
}

// TestGreetingErrorReported: a session whose greeting cannot be had (here
// the fetch was cancelled as it arrived) ends there with the error, and
// goes on to nothing else.
func TestGreetingErrorReported(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(1)}, true)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.fetcher.DebugWriter = &cancelAt{prefix: "S: +OK", cancel: cancel}
	var stages []Stage
	e.fetcher.Progress = func(p Progress) { stages = append(stages, p.Stage) }
	r := e.fetcher.Fetch(ctx, e.acct)
	if !errors.Is(r.Err, context.Canceled) {
		t.Fatalf("err = %v, want cancelled", r.Err)
	}
	for _, s := range stages {
		if s != StageConnecting && s != StageDone {
			t.Errorf("went on to %q after the greeting failed (stages %v)", s, stages)
		}
	}
	if a, _ := e.arch.List(archive.Query{}); len(a.Messages) != 0 {
		t.Errorf("%d messages stored", len(a.Messages))
	}
}
