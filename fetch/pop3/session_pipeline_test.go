package pop3

import (
	"context"
	"errors"
	"testing"
)

func TestLoginAndList(t *testing.T) {
	ctx := context.Background()
	capa := "+OK\nUSER\nPIPELINING\nUIDL\n.\n"
	tests := map[string]struct {
		server  string
		client  string
		want    error
		uids    int
		hasUIDL bool
	}{
		"pipelined": {
			server: "+OK\n" + capa + "+OK\n+OK\n+OK\nPIPELINING\nUIDL\n.\n+OK\n1 a\n2 b\n.\n",
			client: "CAPA\nUSER alice\nPASS pw\nCAPA\nUIDL\n",
			uids:   2, hasUIDL: true,
		},
		"pipelined, bad password": {
			server: "+OK\n" + capa + "+OK\n-ERR [AUTH] no\n+OK\nUSER\n.\n-ERR not logged in\n+OK\n",
			client: "CAPA\nUSER alice\nPASS pw\nCAPA\nUIDL\nNOOP\n",
			want:   ErrAuth,
		},
		"pipelined, no UIDL": {
			server: "+OK\n" + capa + "+OK\n+OK\n+OK\n.\n-ERR unknown\n",
			client: "CAPA\nUSER alice\nPASS pw\nCAPA\nUIDL\n",
		},
		"lockstep without PIPELINING": {
			server: "+OK\n+OK\nUSER\n.\n+OK\n+OK\n+OK\nUIDL\n.\n+OK\n1 a\n.\n",
			client: "CAPA\nUSER alice\nPASS pw\nCAPA\nUIDL\n",
			uids:   1, hasUIDL: true,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c, out := script(tt.server, true, nil)
			l, err := c.LoginAndList(ctx, "alice", "pw")
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err != nil {
				if err := c.Noop(ctx); err != nil {
					t.Fatalf("out of step after a failed login: %v", err)
				}
			} else if l.HasUIDL != tt.hasUIDL || len(l.UIDs) != tt.uids {
				t.Fatalf("listing %+v", l)
			}
			if got, want := out.String(), crlf(tt.client); got != want {
				t.Errorf("client wrote %q, want %q", got, want)
			}
		})
	}
}
