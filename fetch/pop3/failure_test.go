package pop3

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"popvault/bearer"
)

// TestFailures checks each way a server or caller can go wrong: the error
// it must yield and what the client may have written by then.
func TestFailures(t *testing.T) {
	ctx := context.Background()
	login := func(c *Client) error { return c.Login(ctx, "alice", "secret") }
	tests := map[string]struct {
		server string
		secure bool
		run    func(c *Client) error
		want   error
		client string
	}{
		"no credentials in clear": {
			server: "+OK\n", run: login, want: ErrInsecureAuth,
		},
		"CR LF in a user name is not a second command": {
			server: "+OK\n", secure: true,
			run:  func(c *Client) error { return c.Login(ctx, "alice\r\nDELE 1", "x") },
			want: ErrInvalidArgument,
		},
		"in use": {
			server: "+OK\n+OK\n-ERR [IN-USE] maildrop locked\n", secure: true,
			run: login, want: ErrInUse, client: "USER alice\nPASS secret\n",
		},
		"wrong password": {
			server: "+OK\n+OK\n-ERR [AUTH] bad password\n", secure: true,
			run: login, want: ErrAuth, client: "USER alice\nPASS secret\n",
		},
		"sys/temp is hierarchical": {
			server: "+OK\n-ERR [SYS/TEMP/DISK] full\n",
			run:    func(c *Client) error { return c.Noop(ctx) }, want: ErrSysTemp, client: "NOOP\n",
		},
		"greeting -ERR": {
			server: "-ERR [SYS/PERM] go away\n", run: func(c *Client) error { return c.Noop(ctx) }, want: ErrSysPerm,
		},
		"greeting is not POP3": {
			server: "220 smtp.example.com ESMTP\n", run: func(c *Client) error { return c.Noop(ctx) }, want: ErrProtocol,
		},
		"greeting too long": {
			server: "+OK " + strings.Repeat("x", 5<<20) + "\n",
			run:    func(c *Client) error { return c.Noop(ctx) }, want: ErrLineTooLong,
		},
		"connection closed mid-reply": {
			server: "+OK\n+OK\nSubject: x\n", run: func(c *Client) error {
				return c.Retr(ctx, 1, func(r io.Reader) error { _, err := io.ReadAll(r); return err })
			},
			want: io.ErrUnexpectedEOF, client: "RETR 1\n",
		},
		"malformed STAT": {
			server: "+OK\n+OK lots\n", run: func(c *Client) error { _, _, err := c.Stat(ctx); return err },
			want: ErrProtocol, client: "STAT\n",
		},
		"malformed LIST line": {
			server: "+OK\n+OK\n1 -5\n.\n", run: func(c *Client) error { _, err := c.List(ctx); return err },
			want: ErrProtocol, client: "LIST\n",
		},
		"UIDL with a control character": {
			server: "+OK\n+OK\n1 a\x1bb\n.\n", run: func(c *Client) error { _, err := c.UIDL(ctx); return err },
			want: ErrProtocol, client: "UIDL\n",
		},
		"endless listing": {
			server: "+OK\n+OK\n" + strings.Repeat("1 1\n", 11) + ".\n",
			run:    func(c *Client) error { c.opts.MaxListEntries = 10; _, err := c.List(ctx); return err },
			want:   ErrTooManyLines, client: "LIST\n",
		},
		"broken session stays broken": {
			server: "+OK\ngarbage\n+OK\n", run: func(c *Client) error {
				c.Noop(ctx)
				return c.Noop(ctx)
			},
			want: ErrProtocol, client: "NOOP\n",
		},
		"APOP without timestamp": {
			server: "+OK plain greeting\n", secure: true,
			run:  func(c *Client) error { return c.APOP(ctx, "a", "b") },
			want: ErrNoAPOP,
		},
		"cancelled context sends nothing": {
			server: "+OK\n", run: func(c *Client) error {
				ctx, cancel := context.WithCancel(ctx)
				cancel()
				return c.Noop(ctx)
			},
			want: context.Canceled,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c, out := script(tt.server, tt.secure, nil)
			err := tt.run(c)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if got, want := out.String(), crlf(tt.client); got != want {
				t.Errorf("client wrote %q, want %q", got, want)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	c, _ := script("+OK\n-ERR [IN-USE] \x1b[31mred\x1b]0;title\x07 text\n", false, nil)
	err := c.Noop(context.Background())
	var perr *Error
	if !errors.As(err, &perr) {
		t.Fatalf("err = %v", err)
	}
	if perr.Code != "IN-USE" || strings.ContainsAny(perr.Text, "\x1b\x07") || !perr.Temporary() {
		t.Errorf("error = %+v", perr)
	}
	if got := err.Error(); got != "pop3: NOOP: server said [IN-USE] [31mred]0;title text" {
		t.Errorf("text = %q", got)
	}
}

func TestDebugLogRedacts(t *testing.T) {
	var log strings.Builder
	c, _ := script("+OK\n+OK\n+OK\n+OK\n+OK\n", true, &Options{DebugWriter: &log})
	ctx := context.Background()
	if err := c.Login(ctx, "alice", "hunter2"); err != nil {
		t.Fatal(err)
	}
	c.caps = Capabilities{}
	if err := c.Auth(ctx, bearer.NewXOAuth2("alice", "tok3n")); err != nil {
		t.Fatal(err)
	}
	if err := c.APOP(ctx, "alice", "apopsecret"); !errors.Is(err, ErrNoAPOP) {
		t.Fatal(err)
	}
	for _, secret := range []string{"hunter2", "tok3n", "dG9rM", "apopsecret"} {
		if strings.Contains(log.String(), secret) {
			t.Errorf("log holds %q:\n%s", secret, log.String())
		}
	}
	if !strings.Contains(log.String(), "C: PASS <redacted>") {
		t.Errorf("log:\n%s", log.String())
	}
}
