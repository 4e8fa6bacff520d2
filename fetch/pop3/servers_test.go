package pop3

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/emersion/go-sasl"

	"popvault/bearer"
	"popvault/fetch/pop3test"
)

// Behaviours of real servers that nobody here wrote, as pop3test plays
// them.

// TestCourier: Courier loses what a client sent after PASS before PASS's
// reply (its login process hands the connection on), and sends a client
// that did not send UTF8 a notice instead of each message whose header
// holds UTF-8. The client fetches every message as stored all the same.
func TestCourier(t *testing.T) {
	msgs := sampleMessages(3)
	msgs = append(msgs, pop3test.Message{UID: "utf8", Data: []byte("Subject: Grüße aus Köln\r\nFrom: Jürgen <j@example.de>\r\n\r\nHallo\r\n")})
	tests := map[string]pop3test.Config{
		"login hand-off":                    {LoginHandoff: true},
		"login hand-off without PIPELINING": {LoginHandoff: true, NoPipelining: true},
		"UTF8":                              {UTF8: true},
		"both":                              {LoginHandoff: true, UTF8: true},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			cfg.Messages = msgs
			s := pop3test.NewTLSServer(cfg)
			defer s.Close()
			// A client that waits for what the server lost fails by its
			// timeout: keep that short.
			c := dialTest(t, s, Options{Timeout: 2 * time.Second})
			ctx := context.Background()
			l, err := c.LoginAndList(ctx, "alice", "secret")
			if err != nil {
				t.Fatal(err)
			}
			if !l.HasUIDL || len(l.UIDs) != len(msgs) {
				t.Fatalf("listing %+v", l)
			}
			ids := make([]int, len(l.UIDs))
			for i, m := range l.UIDs {
				ids[i] = m.ID
			}
			err = c.RetrMany(ctx, ids, func(id int, r io.Reader) error {
				got, err := io.ReadAll(r)
				if string(got) != string(msgs[id-1].Data) {
					t.Errorf("message %d: got %q, want %q", id, got, msgs[id-1].Data)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if n := s.Fired(); n != 0 {
				t.Errorf("the server lost commands or sent a notice %d times", n)
			}
			// The next check goes by what this one learnt: its login
			// before the greeting, and still nothing after PASS.
			known := c.CapsBeforeLogin()
			if known == nil {
				t.Fatal("nothing learnt of the server before login")
			}
			if err := c.Quit(ctx); err != nil {
				t.Fatal(err)
			}
			s.WaitSessions()
			again := dialTest(t, s, Options{Timeout: 2 * time.Second, Known: known})
			l, err = again.LoginAndList(ctx, "alice", "secret")
			if err != nil {
				t.Fatalf("with what the first session learnt: %v", err)
			}
			if len(l.UIDs) != len(msgs) {
				t.Fatalf("with what the first session learnt: listing %+v", l)
			}
			if n := s.Fired(); n != 0 {
				t.Errorf("with what the first session learnt, the server lost commands or sent a notice %d times", n)
			}
			if n := s.Count("CAPA"); n != 3 {
				t.Errorf("%d CAPA in two sessions, want 3 (none before the second login)", n)
			}
		})
	}
}

// TestInitialResponseRefused: Office 365's POP refuses XOAUTH2 sent with
// the AUTH line and closes the connection; other servers refuse it and go
// on. Either way a sign-in in two steps follows: in the same session when
// the server kept it, on a new one when the client is told to.
func TestInitialResponseRefused(t *testing.T) {
	tests := map[string]struct {
		cfg    pop3test.Config
		client func() sasl.Client
		closes bool
	}{
		"XOAUTH2, session kept": {
			cfg:    pop3test.Config{TwoStepXOAuth2: true},
			client: func() sasl.Client { return bearer.NewXOAuth2("alice", "secret") },
		},
		"XOAUTH2, connection closed": {
			cfg:    pop3test.Config{NoInitialResponse: true},
			client: func() sasl.Client { return bearer.NewXOAuth2("alice", "secret") },
			closes: true,
		},
		"OAUTHBEARER, connection closed": {
			cfg:    pop3test.Config{NoInitialResponse: true},
			client: func() sasl.Client { return bearer.NewOAuthBearer("alice", "secret", "127.0.0.1", 995) },
			closes: true,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			tt.cfg.Messages = sampleMessages(1)
			s := pop3test.NewTLSServer(tt.cfg)
			defer s.Close()
			ctx := context.Background()
			c := dialTest(t, s, Options{})
			err := c.Auth(ctx, tt.client())
			if tt.closes {
				if !errors.Is(err, ErrInitialResponseRefused) {
					t.Fatalf("err = %v, want ErrInitialResponseRefused", err)
				}
				c = dialTest(t, s, Options{})
				err = c.AuthTwoStep(ctx, tt.client())
			}
			if err != nil {
				t.Fatal(err)
			}
			if n, _, err := c.Stat(ctx); err != nil || n != 1 {
				t.Fatalf("Stat = %d, %v", n, err)
			}
		})
	}
}
