package pop3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// flight is one turn of a conversation: what the client sends before it
// reads, and what the server answers once all of it has come.
type flight struct{ client, server string }

// flightConn plays a server that answers a flight only when the whole of
// it has arrived, and fails a client that sends more than the flight
// before reading the answer, or reads before it sent the whole flight.
// So a transcript of flights says which commands may go together, which
// a script of replies alone cannot: a client that sent CAPA after PASS
// without waiting for PASS's reply writes the same bytes.
type flightConn struct {
	flights []flight
	next    int          // the flight being sent
	sent    bytes.Buffer // of that flight, so far
	answer  strings.Reader
}

var errOutOfTurn = errors.New("out of turn")

func (c *flightConn) Read(p []byte) (int, error) {
	if c.answer.Len() == 0 {
		if c.next == len(c.flights) {
			return 0, fmt.Errorf("%w: client reads after the last flight", errOutOfTurn)
		}
		f := c.flights[c.next]
		if c.sent.String() != crlf(f.client) {
			return 0, fmt.Errorf("%w: client reads having sent %q of flight %d, %q", errOutOfTurn, c.sent.String(), c.next, crlf(f.client))
		}
		c.answer.Reset(crlf(f.server))
		c.sent.Reset()
		c.next++
	}
	return c.answer.Read(p)
}

func (c *flightConn) Write(p []byte) (int, error) {
	c.sent.Write(p)
	if c.next == len(c.flights) || !strings.HasPrefix(crlf(c.flights[c.next].client), c.sent.String()) {
		want := ""
		if c.next < len(c.flights) {
			want = crlf(c.flights[c.next].client)
		}
		return 0, fmt.Errorf("%w: client sent %q in flight %d, which is %q", errOutOfTurn, c.sent.String(), c.next, want)
	}
	return len(p), nil
}

func (c *flightConn) Close() error                     { return nil }
func (c *flightConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *flightConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *flightConn) SetDeadline(time.Time) error      { return nil }
func (c *flightConn) SetReadDeadline(time.Time) error  { return nil }
func (c *flightConn) SetWriteDeadline(time.Time) error { return nil }

// TestLoginAndList: the login's commands go in one flight at most, and
// nothing follows it before its reply (Courier loses what does); UTF8
// joins the login's flight when announced; APOP keeps the password off a
// connection without TLS; the listing is one flight after a pipelined
// login.
func TestLoginAndList(t *testing.T) {
	ctx := context.Background()
	const (
		capa   = "+OK\nUSER\nPIPELINING\nUIDL\n.\n"
		stamp  = "<1896.697170952@dbc.mtview.ca.us>"
		digest = "c4c9334bac560ecc979e58001b3e22fb" // RFC 1939's example: tanstaaf
	)
	greeting := flight{"", "+OK ready\n"}
	known := Capabilities{"USER": nil, "PIPELINING": nil, "UIDL": nil}
	tests := map[string]struct {
		flights []flight
		noTLS   bool
		known   Capabilities // Options.Known
		want    error
		dead    bool // the session ends with the error
		uids    int
		hasUIDL bool
	}{
		"pipelined": {
			flights: []flight{greeting, {"CAPA\n", capa},
				{"USER mrose\nPASS tanstaaf\n", "+OK\n+OK\n"},
				{"CAPA\nUIDL\n", "+OK\nPIPELINING\nUIDL\n.\n+OK\n1 a\n2 b\n.\n"}},
			uids: 2, hasUIDL: true,
		},
		"pipelined, bad password": {
			flights: []flight{greeting, {"CAPA\n", capa},
				{"USER mrose\nPASS tanstaaf\n", "+OK\n-ERR [AUTH] no\n"},
				{"NOOP\n", "+OK\n"}},
			want: ErrAuth,
		},
		"pipelined, no UIDL": {
			flights: []flight{greeting, {"CAPA\n", capa},
				{"USER mrose\nPASS tanstaaf\n", "+OK\n+OK\n"},
				{"CAPA\nUIDL\n", "+OK\n.\n-ERR unknown\n"}},
		},
		"UTF8 joins the login": {
			flights: []flight{greeting, {"CAPA\n", "+OK\nUTF8 USER\nPIPELINING\nUIDL\n.\n"},
				{"UTF8\nUSER mrose\nPASS tanstaaf\n", "+OK UTF8 enabled\n+OK\n+OK\n"},
				{"CAPA\nUIDL\n", "+OK\nUTF8\nPIPELINING\nUIDL\n.\n+OK\n1 a\n.\n"}},
			uids: 1, hasUIDL: true,
		},
		"UTF8 refused": {
			flights: []flight{greeting, {"CAPA\n", "+OK\nUTF8\n.\n"},
				{"UTF8\n", "-ERR not today\n"}, {"USER mrose\n", "+OK\n"}, {"PASS tanstaaf\n", "+OK\n"},
				{"CAPA\n", "+OK\nUIDL\n.\n"}, {"UIDL\n", "+OK\n1 a\n.\n"}},
			uids: 1, hasUIDL: true,
		},
		"lockstep without PIPELINING": {
			flights: []flight{greeting, {"CAPA\n", "+OK\nUSER\n.\n"},
				{"USER mrose\n", "+OK\n"}, {"PASS tanstaaf\n", "+OK\n"},
				{"CAPA\n", "+OK\nUIDL\n.\n"}, {"UIDL\n", "+OK\n1 a\n.\n"}},
			uids: 1, hasUIDL: true,
		},
		"APOP without TLS": {
			flights: []flight{{"", "+OK POP3 server ready " + stamp + "\n"}, {"CAPA\n", capa},
				{"APOP mrose " + digest + "\n", "+OK\n"},
				{"CAPA\nUIDL\n", "+OK\nPIPELINING\nUIDL\n.\n+OK\n1 a\n.\n"}},
			noTLS: true, uids: 1, hasUIDL: true,
		},
		"APOP refused, then USER and PASS": {
			flights: []flight{{"", "+OK POP3 server ready " + stamp + "\n"}, {"CAPA\n", capa},
				{"APOP mrose " + digest + "\n", "-ERR [AUTH] no APOP secret\n"},
				{"USER mrose\nPASS tanstaaf\n", "+OK\n+OK\n"},
				{"CAPA\nUIDL\n", "+OK\nUIDL\n.\n+OK\n1 a\n.\n"}},
			noTLS: true, uids: 1, hasUIDL: true,
		},
		"APOP refused for a while: no USER and PASS": {
			flights: []flight{{"", "+OK POP3 server ready " + stamp + "\n"}, {"CAPA\n", capa},
				{"APOP mrose " + digest + "\n", "-ERR [IN-USE] locked\n"},
				{"NOOP\n", "+OK\n"}},
			noTLS: true, want: ErrInUse,
		},
		// What an earlier session learnt: no CAPA before login, and the
		// login goes with the handshake, its greeting read with its
		// replies. Two round trips after TLS for a check.
		"known: the login goes before the greeting": {
			flights: []flight{{"USER mrose\nPASS tanstaaf\n", "+OK ready\n+OK\n+OK\n"},
				{"CAPA\nUIDL\n", "+OK\nPIPELINING\nUIDL\n.\n+OK\n1 a\n2 b\n.\n"}},
			known: known, uids: 2, hasUIDL: true,
		},
		"known with UTF8": {
			flights: []flight{{"UTF8\nUSER mrose\nPASS tanstaaf\n", "+OK ready\n+OK UTF8 enabled\n+OK\n+OK\n"},
				{"CAPA\nUIDL\n", "+OK\nUTF8\nPIPELINING\nUIDL\n.\n+OK\n1 a\n.\n"}},
			known: Capabilities{"UTF8": {"USER"}, "PIPELINING": nil}, uids: 1, hasUIDL: true,
		},
		"known without PIPELINING": {
			flights: []flight{{"USER mrose\n", "+OK ready\n+OK\n"}, {"PASS tanstaaf\n", "+OK\n"},
				{"CAPA\n", "+OK\nUIDL\n.\n"}, {"UIDL\n", "+OK\n1 a\n.\n"}},
			known: Capabilities{"USER": nil}, uids: 1, hasUIDL: true,
		},
		"known, bad password": {
			flights: []flight{{"USER mrose\nPASS tanstaaf\n", "+OK ready\n+OK\n-ERR [AUTH] no\n"},
				{"NOOP\n", "+OK\n"}},
			known: known, want: ErrAuth,
		},
		"known, the greeting refuses": {
			flights: []flight{{"USER mrose\nPASS tanstaaf\n", "-ERR [SYS/TEMP] too busy\n"}},
			known:   known, want: ErrSysTemp, dead: true,
		},
		"known is no reason without TLS": {
			flights: []flight{{"", "+OK POP3 server ready " + stamp + "\n"}, {"CAPA\n", capa},
				{"APOP mrose " + digest + "\n", "+OK\n"},
				{"CAPA\nUIDL\n", "+OK\nPIPELINING\nUIDL\n.\n+OK\n1 a\n.\n"}},
			noTLS: true, known: known, uids: 1, hasUIDL: true,
		},
		"no APOP over TLS": {
			flights: []flight{{"", "+OK POP3 server ready " + stamp + "\n"}, {"CAPA\n", capa},
				{"USER mrose\nPASS tanstaaf\n", "+OK\n+OK\n"},
				{"CAPA\nUIDL\n", "+OK\nUIDL\n.\n+OK\n.\n"}},
			hasUIDL: true,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			fc := &flightConn{flights: tt.flights}
			var c *Client
			if tt.noTLS {
				c = New(fc, &Options{AllowInsecureAuth: true, Known: tt.known})
			} else {
				c = New(tlsLike{fc}, &Options{Known: tt.known})
			}
			l, err := c.LoginAndList(ctx, "mrose", "tanstaaf")
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.dead {
				if err := c.Noop(ctx); err == nil {
					t.Fatal("the session goes on after the greeting refused it")
				}
			} else if err != nil {
				if err := c.Noop(ctx); err != nil {
					t.Fatalf("out of step after a failed login: %v", err)
				}
			} else if l.HasUIDL != tt.hasUIDL || len(l.UIDs) != tt.uids {
				t.Fatalf("listing %+v", l)
			}
			if fc.next != len(tt.flights) {
				t.Errorf("the conversation stopped after flight %d of %d", fc.next, len(tt.flights))
			}
		})
	}
}
