package pop3

import (
	"github.com/emersion/go-sasl"

	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"popvault/bearer"
	"popvault/fetch/pop3test"
)

func sampleMessages(n int) []pop3test.Message {
	msgs := make([]pop3test.Message, n)
	for i := range msgs {
		body := fmt.Sprintf("Message-ID: <%d@test>\r\nSubject: message %d\r\n\r\n.leading dot\r\n%s\r\n", i, i, awkwardBodies["bare CR and LF"])
		msgs[i] = pop3test.Message{UID: fmt.Sprintf("uid-%04d", i), Data: []byte(body)}
	}
	return msgs
}

func dialTest(t *testing.T, s *pop3test.Server, opts Options) *Client {
	t.Helper()
	opts.TLSConfig = s.ClientTLSConfig()
	dial := Dial
	if _, plain := s.Listener.(*net.TCPListener); !plain {
		dial = DialTLS
	}
	c, err := dial(context.Background(), s.Addr, &opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// fetchAll logs in and retrieves everything, checking each message's bytes.
func fetchAll(t *testing.T, c *Client, want []pop3test.Message) {
	t.Helper()
	ctx := context.Background()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	uidl, err := c.UIDL(ctx)
	if err != nil || len(uidl) != len(want) {
		t.Fatalf("UIDL: %d entries, %v", len(uidl), err)
	}
	ids := make([]int, len(uidl))
	for i, m := range uidl {
		ids[i] = m.ID
	}
	n := 0
	err = c.RetrMany(ctx, ids, func(id int, r io.Reader) error {
		got, err := io.ReadAll(r)
		if string(got) != string(want[id-1].Data) {
			t.Errorf("message %d differs", id)
		}
		n++
		return err
	})
	if err != nil || n != len(want) {
		t.Fatalf("RetrMany: %d of %d, %v", n, len(want), err)
	}
}

func TestImplicitTLS(t *testing.T) {
	msgs := sampleMessages(50)
	s := pop3test.NewTLSServer(pop3test.Config{Messages: msgs})
	defer s.Close()
	c := dialTest(t, s, Options{})
	if !c.IsTLS() {
		t.Fatal("not TLS")
	}
	fetchAll(t, c, msgs)
	if err := c.Quit(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestSTLS(t *testing.T) {
	msgs := sampleMessages(20)
	s := pop3test.NewServer(pop3test.Config{Messages: msgs, STLS: true, CapaAfterLogin: true})
	defer s.Close()
	c := dialTest(t, s, Options{})
	ctx := context.Background()
	if err := c.StartTLS(ctx); err != nil {
		t.Fatal(err)
	}
	fetchAll(t, c, msgs)
	if caps, _ := c.Capa(ctx); !caps.Has("PIPELINING") || caps.Has("STLS") {
		t.Errorf("capabilities not re-read after login: %v", caps)
	}
	if n := s.Count("(cleartext credential)"); n != 0 {
		t.Errorf("%d credentials in clear", n)
	}
}

// TestSTLSNeverFallsBack: in every hostile case no credential is sent in
// clear, the error is clear, and the session is closed.
func TestSTLSNeverFallsBack(t *testing.T) {
	tests := map[string]struct {
		cfg  pop3test.Config
		tls  *tls.Config
		want error
	}{
		"not offered":     {cfg: pop3test.Config{}, want: ErrSTLSUnavailable},
		"refused":         {cfg: pop3test.Config{STLS: true, Faults: pop3test.Faults{Replies: map[string]string{"STLS": "-ERR no TLS today\r\n"}}}, want: ErrSTLSFailed},
		"garbage reply":   {cfg: pop3test.Config{STLS: true, Faults: pop3test.Faults{Replies: map[string]string{"STLS": "* OK whatever\r\n"}}}, want: ErrProtocol},
		"injected bytes":  {cfg: pop3test.Config{STLS: true, Faults: pop3test.Faults{InjectAfterSTLS: []byte("+OK logged in\r\n")}}, want: ErrInjection},
		"other host cert": {cfg: pop3test.Config{STLS: true, CertHosts: []string{"mail.example.org"}}, want: errTLS},
		"untrusted cert":  {cfg: pop3test.Config{STLS: true}, tls: &tls.Config{}, want: errTLS},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := pop3test.NewServer(tt.cfg)
			defer s.Close()
			cfg := s.ClientTLSConfig()
			if tt.tls != nil {
				cfg = tt.tls
			}
			ctx := context.Background()
			c, err := Dial(ctx, s.Addr, &Options{TLSConfig: cfg})
			if err != nil {
				t.Fatal(err)
			}
			err = c.StartTLS(ctx)
			if tt.want == errTLS {
				var verr *tls.CertificateVerificationError
				if !errors.As(err, &verr) {
					t.Fatalf("err = %v, want a certificate error", err)
				}
			} else if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err := c.Login(ctx, "alice", "secret"); err == nil {
				t.Fatal("login after failed STLS succeeded")
			}
			s.Close()
			if n := s.Count("(cleartext credential)") + s.Count("USER"); n != 0 {
				t.Errorf("credentials sent in clear: %d", n)
			}
		})
	}
}

var errTLS = errors.New("certificate error")

func TestAuthMechanisms(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{APOP: true, Messages: sampleMessages(1)})
	defer s.Close()
	ctx := context.Background()
	for name, login := range map[string]func(c *Client) error{
		"USER/PASS":            func(c *Client) error { return c.Login(ctx, "alice", "secret") },
		"APOP":                 func(c *Client) error { return c.APOP(ctx, "alice", "secret") },
		"PLAIN":                func(c *Client) error { return c.Auth(ctx, plain("alice", "secret")) },
		"XOAUTH2":              func(c *Client) error { return c.Auth(ctx, bearer.NewXOAuth2("alice", "secret")) },
		"XOAUTH2 in two steps": func(c *Client) error { return c.AuthTwoStep(ctx, bearer.NewXOAuth2("alice", "secret")) },
		"OAUTHBEARER":          func(c *Client) error { return c.Auth(ctx, bearer.NewOAuthBearer("alice", "secret", "127.0.0.1", 995)) },
		"OAUTHBEARER in two steps": func(c *Client) error {
			return c.AuthTwoStep(ctx, bearer.NewOAuthBearer("alice", "secret", "127.0.0.1", 995))
		},
	} {
		t.Run(name, func(t *testing.T) {
			c := dialTest(t, s, Options{})
			if err := login(c); err != nil {
				t.Fatal(err)
			}
			if n, _, err := c.Stat(ctx); err != nil || n != 1 {
				t.Fatalf("Stat = %d, %v", n, err)
			}
			c.Quit(ctx)
		})
	}
}

func TestMaildropLockAndQuit(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: sampleMessages(3)})
	defer s.Close()
	ctx := context.Background()
	a := dialTest(t, s, Options{})
	if err := a.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	b := dialTest(t, s, Options{})
	if err := b.Login(ctx, "alice", "secret"); !errors.Is(err, ErrInUse) {
		t.Fatalf("second login: %v, want [IN-USE]", err)
	}
	if err := a.DeleMany(ctx, []int{1, 3}); err != nil {
		t.Fatal(err)
	}
	a.Close() // no QUIT: nothing is deleted
	b.Close()
	s.WaitSessions()
	if n := len(s.Messages()); n != 3 {
		t.Fatalf("%d messages after a dropped session, want 3", n)
	}
	c := dialTest(t, s, Options{})
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleMany(ctx, []int{1, 3, 9}); err == nil {
		t.Fatal("DELE of a missing message succeeded")
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	if left := s.Messages(); len(left) != 1 || left[0].UID != "uid-0001" {
		t.Fatalf("left %v", left)
	}
}

// TestPipelining counts the client's writes: with PIPELINING, a batch of
// 300 costs a handful of flushes; without, one per command.
func TestPipelining(t *testing.T) {
	for _, pipelined := range []bool{true, false} {
		msgs := sampleMessages(300)
		s := pop3test.NewServer(pop3test.Config{Messages: msgs, NoPipelining: !pipelined})
		raw, err := net.Dial("tcp", s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		cc := &countingConn{Conn: raw}
		c := New(cc, &Options{AllowInsecureAuth: true})
		fetchAll(t, c, msgs)
		writes := cc.writes.Load()
		if pipelined && writes > 15 || !pipelined && writes < 300 {
			t.Errorf("pipelined=%v: %d writes", pipelined, writes)
		}
		c.Close()
		s.Close()
	}
}

type countingConn struct {
	net.Conn
	writes atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// TestStallTimesOut: a server that stops answering is cut off after
// Timeout of silence, and the error says where it stopped: silence from
// the start of a reply is not the network being slow (which would send
// the user to try again, for ever, at the same point).
func TestStallTimesOut(t *testing.T) {
	tests := map[string]struct {
		stall *pop3test.Trigger
		run   func(ctx context.Context, c *Client) error
		says  string
	}{
		"no reply at all": {
			stall: &pop3test.Trigger{Command: "UIDL"},
			run:   func(ctx context.Context, c *Client) error { _, err := c.UIDL(ctx); return err },
			says:  "pop3: the server stopped answering: nothing came for 200ms while waiting for its reply to UIDL",
		},
		"a reply cut short": {
			stall: &pop3test.Trigger{Command: "RETR", AfterBytes: 20},
			run: func(ctx context.Context, c *Client) error {
				return c.Retr(ctx, 1, func(r io.Reader) error { _, err := io.ReadAll(r); return err })
			},
			says: "pop3: the server stopped answering: its reply to RETR broke off",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := pop3test.NewTLSServer(pop3test.Config{Messages: sampleMessages(2), Faults: pop3test.Faults{Stall: tt.stall}})
			defer s.Close()
			c := dialTest(t, s, Options{Timeout: 200 * time.Millisecond})
			ctx := context.Background()
			if err := c.Login(ctx, "alice", "secret"); err != nil {
				t.Fatal(err)
			}
			err := tt.run(ctx, c)
			if !errors.Is(err, ErrTimeout) || errors.Is(err, ErrTooSlow) || !strings.HasPrefix(err.Error(), tt.says) {
				t.Fatalf("err = %v, want a timeout that says %q", err, tt.says)
			}
			if err := c.Noop(ctx); err == nil {
				t.Error("session usable after a timeout")
			}
		})
	}
}

func TestCancelInterruptsRead(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: sampleMessages(2),
		Faults: pop3test.Faults{Stall: &pop3test.Trigger{Command: "RETR"}}})
	defer s.Close()
	c := dialTest(t, s, Options{})
	if err := c.Login(context.Background(), "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	// Left to its Timeout (a minute) the read would end in ErrTimeout:
	// the context's error says the cancellation interrupted it.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := c.Retr(ctx, 1, func(r io.Reader) error { _, err := io.ReadAll(r); return err })
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
}

// A callback error stops the batch but leaves the session in step.
func TestRetrManyCallbackError(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: sampleMessages(250)})
	defer s.Close()
	c := dialTest(t, s, Options{})
	ctx := context.Background()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	ids := make([]int, 250)
	for i := range ids {
		ids[i] = i + 1
	}
	disk := errors.New("disk full")
	calls := 0
	err := c.RetrMany(ctx, ids, func(id int, r io.Reader) error {
		calls++
		if id == 5 {
			return disk
		}
		return nil
	})
	if !errors.Is(err, disk) || calls != 5 {
		t.Fatalf("err = %v after %d calls", err, calls)
	}
	if n, _, err := c.Stat(ctx); err != nil || n != 250 {
		t.Fatalf("session out of step: %d, %v", n, err)
	}
}

// A refused token comes back as a TokenError with the challenge's status,
// and the session is still in step for another try.
func TestTokenRefused(t *testing.T) {
	// A server each: a session that logged in holds the maildrop until
	// the server has seen it close, which the next one need not wait for.
	server := func(t *testing.T) *pop3test.Server {
		s := pop3test.NewTLSServer(pop3test.Config{Messages: sampleMessages(1), TwoStepXOAuth2: true})
		t.Cleanup(s.Close)
		return s
	}
	ctx := context.Background()
	for name, client := range map[string]sasl.Client{
		"XOAUTH2":     bearer.NewXOAuth2("alice", "stale"),
		"OAUTHBEARER": bearer.NewOAuthBearer("alice", "stale", "127.0.0.1", 995),
	} {
		t.Run(name, func(t *testing.T) {
			c := dialTest(t, server(t), Options{})
			err := c.AuthTwoStep(ctx, client)
			var terr *TokenError
			if !errors.As(err, &terr) || terr.Status == "" || !errors.Is(err, ErrAuth) {
				t.Fatalf("a stale token: %v", err)
			}
			if err := c.AuthTwoStep(ctx, bearer.NewXOAuth2("alice", "secret")); err != nil {
				t.Fatalf("the next try in the same session: %v", err)
			}
		})
	}
}
