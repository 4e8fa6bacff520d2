package pop3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"popvault/fetch/pop3test"
)

// What a hostile server can make the client hold or wait for is bounded.
func TestListingLimits(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		server string
		opts   Options
		run    func(c *Client) error
	}{
		"CAPA of 101 lines, before TLS": {
			server: "+OK\n+OK\n" + strings.Repeat("X-CAP\n", 101) + ".\n",
			run:    func(c *Client) error { _, err := c.Capa(ctx); return err },
		},
		"UIDL over its byte limit": {
			server: "+OK\n+OK\n" + strings.Repeat("1 abcdefgh\n", 20) + ".\n",
			opts:   Options{MaxListBytes: 100},
			run:    func(c *Client) error { _, err := c.UIDL(ctx); return err },
		},
		"LIST over its line limit": {
			server: "+OK\n+OK\n" + strings.Repeat("1 10\n", 11) + ".\n",
			opts:   Options{MaxListEntries: 10},
			run:    func(c *Client) error { _, err := c.List(ctx); return err },
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c, _ := script(tt.server, true, &tt.opts)
			if err := tt.run(c); !errors.Is(err, ErrTooManyLines) {
				t.Fatalf("err = %v, want ErrTooManyLines", err)
			}
		})
	}
	// Within the limits, the same listings are read.
	c, _ := script("+OK\n+OK\n"+strings.Repeat("X-CAP\n", 100)+".\n", true, nil)
	if caps, err := c.Capa(ctx); err != nil || !caps.Has("X-CAP") {
		t.Fatalf("100 capabilities: %v", err)
	}
}

// A UID is copied out of its line: a listing whose lines are padded to
// the line limit must not keep every line alive through its UIDs.
func TestUIDsDoNotHoldTheirLines(t *testing.T) {
	const n = 5000
	var b strings.Builder
	b.WriteString("+OK\n+OK\n")
	for i := range n {
		fmt.Fprintf(&b, "%d uid%d%s\n", i+1, i, strings.Repeat(" ", 8000))
	}
	b.WriteString(".\n")
	c, _ := script(b.String(), true, nil)
	server := b.String()
	b.Reset()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	list, err := c.UIDL(context.Background())
	if err != nil || len(list) != n {
		t.Fatalf("%d UIDs, %v", len(list), err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if held := int64(after.HeapAlloc) - int64(before.HeapAlloc); held > 8<<20 {
		t.Fatalf("%d UIDs hold %d MB (the lines are 40 MB)", n, held>>20)
	}
	runtime.KeepAlive(list)
	runtime.KeepAlive(server)
	runtime.KeepAlive(c) // and the script it reads, which was there before too
}

// trickle serves reply one byte every gap, for ever after it, over a real
// connection (a pipe), whose deadlines the client sets.
func trickle(t *testing.T, reply string, gap time.Duration) net.Conn {
	client, server := net.Pipe()
	t.Cleanup(func() { client.Close(); server.Close() })
	go func() {
		io.Copy(io.Discard, server) // what the client sends
	}()
	go func() {
		for i := 0; ; i++ {
			b := []byte{'x'}
			if i < len(reply) {
				b[0] = reply[i]
			}
			if _, err := server.Write(b); err != nil {
				return
			}
			time.Sleep(gap)
		}
	}()
	return client
}

// A server that sends a byte now and then never goes silent for a whole
// Timeout, yet must not hold a session for ever: under MinRate it is cut
// off, a little after a Timeout of grace.
//
// In a synctest bubble the trickle's pauses and the client's deadlines
// run on the bubble's clock: a loaded machine changes neither rate.
func TestMinRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// The trickle never ends (it sends "x" after the reply), and never
		// stays silent for Timeout: only the rate rule can end the read.
		c := New(trickle(t, "+OK hello\r\n+OK "+strings.Repeat("z", 1000), 20*time.Millisecond), &Options{Timeout: 300 * time.Millisecond, MinRate: 100})
		err := c.Noop(context.Background())
		c.Close()
		if !errors.Is(err, ErrTooSlow) {
			t.Fatalf("err = %v, want ErrTooSlow", err)
		}
		// The same trickle, fast enough for the rule: it is read.
		c = New(trickle(t, "+OK hello\r\n+OK fine\r\n", 20*time.Millisecond), &Options{Timeout: 300 * time.Millisecond, MinRate: 10})
		err = c.Noop(context.Background())
		c.Close()
		if err != nil {
			t.Fatalf("a slow but steady server: %v", err)
		}
		time.Sleep(time.Second) // the trickles wake, find their pipes closed, and end
	})
}

// readCounter counts what is read through it.
type readCounter struct {
	net.Conn
	read atomic.Int64
}

func (c *readCounter) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// A callback that returns ErrAbort ends the session at once: the rest of
// a 20 MB message is not read.
func TestRetrAbort(t *testing.T) {
	big := pop3test.Message{UID: "big", Data: []byte("Subject: big\r\n\r\n" + strings.Repeat("0123456789abcdef\r\n", 20<<20/18))}
	s := pop3test.NewServer(pop3test.Config{Messages: []pop3test.Message{big, big}})
	defer s.Close()
	raw, err := net.Dial("tcp", s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	cc := &readCounter{Conn: raw}
	c := New(cc, &Options{AllowInsecureAuth: true})
	defer c.Close()
	ctx := context.Background()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	err = c.RetrMany(ctx, []int{1, 2}, func(id int, r io.Reader) error {
		io.CopyN(io.Discard, r, 1<<20)
		return fmt.Errorf("too big for us: %w", ErrAbort)
	})
	if !errors.Is(err, ErrAbort) {
		t.Fatalf("err = %v, want ErrAbort", err)
	}
	if n := cc.read.Load(); n > 8<<20 {
		t.Fatalf("read %d MB of a message it gave up after 1 MB", n>>20)
	}
	if _, _, err := c.Stat(ctx); !errors.Is(err, ErrAbort) && !errors.Is(err, ErrClosed) {
		t.Fatalf("the session goes on after an abort: %v", err)
	}
}
