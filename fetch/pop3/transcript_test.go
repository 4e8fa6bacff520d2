package pop3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"popvault/bearer"
)

// scriptConn plays a server's side of a conversation from a string and
// records what the client writes.
type scriptConn struct {
	r io.Reader
	w bytes.Buffer
}

func (c *scriptConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *scriptConn) Write(p []byte) (int, error)      { return c.w.Write(p) }
func (c *scriptConn) Close() error                     { return nil }
func (c *scriptConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *scriptConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *scriptConn) SetDeadline(time.Time) error      { return nil }
func (c *scriptConn) SetReadDeadline(time.Time) error  { return nil }
func (c *scriptConn) SetWriteDeadline(time.Time) error { return nil }

// script returns a client reading server and the buffer of its output.
// Lines in server end in "\n" and are sent with CRLF. Credentials may be
// sent only when secure is set, as if the connection were TLS.
func script(server string, secure bool, opts *Options) (*Client, *bytes.Buffer) {
	sc := scriptConn{r: strings.NewReader(crlf(server))}
	if opts == nil {
		opts = &Options{}
	}
	opts.AllowInsecureAuth = opts.AllowInsecureAuth || secure
	c := New(&sc, opts)
	return c, &sc.w
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

func TestTranscripts(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		server string
		run    func(c *Client) error
		client string
	}{
		"login": {
			server: "+OK ready\n+OK\n+OK maildrop locked and ready\n",
			run:    func(c *Client) error { return c.Login(ctx, "alice", "s3cret pass") },
			client: "USER alice\nPASS s3cret pass\n",
		},
		"stat": {
			server: "+OK\n+OK 2 320\n",
			run: func(c *Client) error {
				n, size, err := c.Stat(ctx)
				if err == nil && (n != 2 || size != 320) {
					t.Errorf("Stat = %d, %d", n, size)
				}
				return err
			},
			client: "STAT\n",
		},
		"dele noop rset quit": {
			server: "+OK\n+OK marked\n+OK\n+OK\n+OK bye\n",
			run: func(c *Client) error {
				for _, f := range []func(context.Context) error{
					func(ctx context.Context) error { return c.Dele(ctx, 3) },
					c.Noop, c.Rset, c.Quit,
				} {
					if err := f(ctx); err != nil {
						return err
					}
				}
				return nil
			},
			client: "DELE 3\nNOOP\nRSET\nQUIT\n",
		},
		"leave after a check waits for no reply": {
			server: "+OK\n+OK 2 320\n", // and nothing after: no reply to QUIT
			run: func(c *Client) error {
				if _, _, err := c.Stat(ctx); err != nil {
					return err
				}
				return c.QuitWithoutWaiting(ctx)
			},
			client: "STAT\nQUIT\n",
		},
		"leave after dele or retr is quit": {
			server: "+OK\n+OK marked\n",
			run: func(c *Client) error {
				if err := c.Dele(ctx, 1); err != nil {
					return err
				}
				if err := c.QuitWithoutWaiting(ctx); err == nil {
					t.Error("QuitWithoutWaiting after DELE did not wait for QUIT's reply")
				}
				c, _ = script("+OK\n+OK\nbody\n.\n", false, nil)
				if err := c.Retr(ctx, 1, func(io.Reader) error { return nil }); err != nil {
					return err
				}
				if err := c.QuitWithoutWaiting(ctx); err == nil {
					t.Error("QuitWithoutWaiting after RETR did not wait for QUIT's reply")
				}
				return nil
			},
			client: "DELE 1\nQUIT\n",
		},
		"apop, RFC 1939's own example": {
			server: "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\n+OK maildrop has 1 message\n",
			run:    func(c *Client) error { return c.APOP(ctx, "mrose", "tanstaaf") },
			client: "APOP mrose c4c9334bac560ecc979e58001b3e22fb\n",
		},
		"auth xoauth2 with initial response": {
			server: "+OK\n+OK\n",
			run: func(c *Client) error {
				return c.Auth(ctx, bearer.NewXOAuth2("a", "t"))
			},
			client: "AUTH XOAUTH2 dXNlcj1hAWF1dGg9QmVhcmVyIHQBAQ==\n",
		},
		"auth plain with initial response": {
			server: "+OK\n+OK\n",
			run: func(c *Client) error {
				return c.Auth(ctx, plain("a", "p"))
			},
			client: "AUTH PLAIN AGEAcA==\n",
		},
		"xoauth2 error challenge is answered empty": {
			server: "+OK\n+ eyJzdGF0dXMiOiI0MDEifQ==\n-ERR [AUTH] invalid token\n",
			run: func(c *Client) error {
				err := c.Auth(ctx, bearer.NewXOAuth2("a", "t"))
				var terr *TokenError
				if !errors.Is(err, ErrAuth) || !errors.As(err, &terr) || terr.Status != "401" || !strings.Contains(err.Error(), "not valid, or expired") {
					t.Errorf("err = %v, want a TokenError with status 401 and [AUTH]", err)
				}
				return nil
			},
			client: "AUTH XOAUTH2 dXNlcj1hAWF1dGg9QmVhcmVyIHQBAQ==\n\n",
		},
		"xoauth2 in two steps, as Office 365 wants": {
			server: "+OK\n+ \n+OK\n",
			run: func(c *Client) error {
				return c.AuthTwoStep(ctx, bearer.NewXOAuth2("a", "t"))
			},
			client: "AUTH XOAUTH2\ndXNlcj1hAWF1dGg9QmVhcmVyIHQBAQ==\n",
		},
		"xoauth2 refused in one step at once is tried in two": {
			server: "+OK\n-ERR Protocol error\n+ \n+OK\n",
			run: func(c *Client) error {
				return c.Auth(ctx, bearer.NewXOAuth2("a", "t"))
			},
			client: "AUTH XOAUTH2 dXNlcj1hAWF1dGg9QmVhcmVyIHQBAQ==\nAUTH XOAUTH2\ndXNlcj1hAWF1dGg9QmVhcmVyIHQBAQ==\n",
		},
		"oauthbearer refused in one step at once is tried in two": {
			server: "+OK\n-ERR Protocol error\n+ \n+OK\n",
			run: func(c *Client) error {
				return c.Auth(ctx, bearer.NewOAuthBearer("a", "t", "mail.example.org", 995))
			},
			client: "AUTH OAUTHBEARER bixhPWEsAWhvc3Q9bWFpbC5leGFtcGxlLm9yZwFwb3J0PTk5NQFhdXRoPUJlYXJlciB0AQE=\n" +
				"AUTH OAUTHBEARER\nbixhPWEsAWhvc3Q9bWFpbC5leGFtcGxlLm9yZwFwb3J0PTk5NQFhdXRoPUJlYXJlciB0AQE=\n",
		},
		"after one refusal the session's AUTHs go in two steps": {
			server: "+OK\n-ERR Protocol error\n+ \n-ERR [AUTH] bad token\n+ \n+OK\n",
			run: func(c *Client) error {
				if err := c.Auth(ctx, bearer.NewXOAuth2("a", "t")); !errors.Is(err, ErrAuth) {
					t.Errorf("first token: %v, want [AUTH]", err)
				}
				return c.Auth(ctx, bearer.NewXOAuth2("a", "u"))
			},
			client: "AUTH XOAUTH2 dXNlcj1hAWF1dGg9QmVhcmVyIHQBAQ==\nAUTH XOAUTH2\ndXNlcj1hAWF1dGg9QmVhcmVyIHQBAQ==\n" +
				"AUTH XOAUTH2\ndXNlcj1hAWF1dGg9QmVhcmVyIHUBAQ==\n",
		},
		"a token refused for a while is not tried in two steps": {
			server: "+OK\n-ERR [LOGIN-DELAY] wait a minute\n",
			run: func(c *Client) error {
				if err := c.Auth(ctx, bearer.NewXOAuth2("a", "t")); !errors.Is(err, ErrLoginDelay) {
					t.Errorf("err = %v, want [LOGIN-DELAY]", err)
				}
				return nil
			},
			client: "AUTH XOAUTH2 dXNlcj1hAWF1dGg9QmVhcmVyIHQBAQ==\n",
		},
		"plain refused in one step is not sent again": {
			server: "+OK\n-ERR [AUTH] no\n",
			run: func(c *Client) error {
				if err := c.Auth(ctx, plain("a", "p")); !errors.Is(err, ErrAuth) {
					t.Errorf("err = %v, want [AUTH]", err)
				}
				return nil
			},
			client: "AUTH PLAIN AGEAcA==\n",
		},
		"UTF8 before AUTH when announced": {
			server: "+OK\n+OK UTF8 enabled\n+OK\n",
			run: func(c *Client) error {
				c.caps = Capabilities{"UTF8": nil, "PIPELINING": nil}
				return c.Auth(ctx, bearer.NewXOAuth2("a", "t"))
			},
			client: "UTF8\nAUTH XOAUTH2 dXNlcj1hAWF1dGg9QmVhcmVyIHQBAQ==\n",
		},
		"UTF8 before APOP when announced": {
			server: "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\n+OK\n+OK\n",
			run: func(c *Client) error {
				c.caps = Capabilities{"UTF8": nil}
				return c.APOP(ctx, "mrose", "tanstaaf")
			},
			client: "UTF8\nAPOP mrose c4c9334bac560ecc979e58001b3e22fb\n",
		},
		"oauthbearer with initial response": {
			server: "+OK\n+OK\n",
			run: func(c *Client) error {
				return c.Auth(ctx, bearer.NewOAuthBearer("a", "t", "mail.example.org", 995))
			},
			client: "AUTH OAUTHBEARER bixhPWEsAWhvc3Q9bWFpbC5leGFtcGxlLm9yZwFwb3J0PTk5NQFhdXRoPUJlYXJlciB0AQE=\n",
		},
		"oauthbearer in two steps": {
			server: "+OK\n+ \n+OK\n",
			run: func(c *Client) error {
				return c.AuthTwoStep(ctx, bearer.NewOAuthBearer("a", "t", "mail.example.org", 995))
			},
			client: "AUTH OAUTHBEARER\nbixhPWEsAWhvc3Q9bWFpbC5leGFtcGxlLm9yZwFwb3J0PTk5NQFhdXRoPUJlYXJlciB0AQE=\n",
		},
		"oauthbearer error challenge is answered with 0x01": {
			server: "+OK\n+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NoZW1lcyI6ImJlYXJlciJ9\n-ERR [AUTH] no\n",
			run: func(c *Client) error {
				err := c.Auth(ctx, bearer.NewOAuthBearer("a", "t", "mail.example.org", 995))
				var terr *TokenError
				if !errors.As(err, &terr) || terr.Status != "invalid_token" {
					t.Errorf("err = %v, want a TokenError with status invalid_token", err)
				}
				return nil
			},
			client: "AUTH OAUTHBEARER bixhPWEsAWhvc3Q9bWFpbC5leGFtcGxlLm9yZwFwb3J0PTk5NQFhdXRoPUJlYXJlciB0AQE=\nAQ==\n",
		},
		"top": {
			server: "+OK\n+OK\nSubject: x\n\nline 1\n.\n",
			run: func(c *Client) error {
				return c.Top(ctx, 1, 1, func(r io.Reader) error {
					b, _ := io.ReadAll(r)
					if string(b) != "Subject: x\r\n\r\nline 1\r\n" {
						t.Errorf("TOP body %q", b)
					}
					return nil
				})
			},
			client: "TOP 1 1\n",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c, out := script(tt.server, true, nil)
			if err := tt.run(c); err != nil {
				t.Fatal(err)
			}
			if got, want := out.String(), crlf(tt.client); got != want {
				t.Errorf("client wrote\n%q\nwant\n%q", got, want)
			}
		})
	}
}

func TestListings(t *testing.T) {
	ctx := context.Background()
	c, out := script("+OK\n+OK\n1 120\n2 200\n.\n+OK\n1 whqtswO00WBw418f9t5JxYwZ\n2 QhdPYR:00WBw1Ph7x7\n.\n", false, nil)
	list, err := c.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	uidl, err := c.UIDL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[1] != (MessageInfo{ID: 2, Size: 200}) {
		t.Errorf("LIST = %+v", list)
	}
	if len(uidl) != 2 || uidl[1] != (MessageInfo{ID: 2, UID: "QhdPYR:00WBw1Ph7x7"}) {
		t.Errorf("UIDL = %+v", uidl)
	}
	if out.String() != "LIST\r\nUIDL\r\n" {
		t.Errorf("client wrote %q", out)
	}
}

func TestCapabilities(t *testing.T) {
	c, _ := script("+OK\n+OK\nTOP\nUIDL\nSASL PLAIN XOAUTH2\nPIPELINING\nresp-codes\n.\n", false, nil)
	caps, err := c.Capa(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !caps.Has("pipelining") || !caps.Has("RESP-CODES") || caps.Has("STLS") {
		t.Errorf("caps = %v", caps)
	}
	if got := caps.SASL(); len(got) != 2 || got[1] != "XOAUTH2" {
		t.Errorf("SASL = %v", got)
	}
	// A server without CAPA has no capabilities, and that is no error.
	c, _ = script("+OK\n-ERR unknown command\n", false, nil)
	if caps, err := c.Capa(context.Background()); err != nil || len(caps) != 0 {
		t.Errorf("Capa = %v, %v", caps, err)
	}
}
