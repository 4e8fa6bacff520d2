package restore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"popvault/bearer"
	"popvault/transport"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// conn is one signed-in IMAP connection and its watchdog.
type conn struct {
	*imapclient.Client
	w *watched
}

// watched is a net.Conn whose watchdog closes it when the server stays
// silent for the timeout while an answer is awaited. imapclient waits
// for the start of a response without a deadline, so a server that never
// answers would hang the restore.
type watched struct {
	net.Conn
	timeout  time.Duration
	waiting  atomic.Int32 // commands awaiting an answer
	lastRead atomic.Int64 // unix nanoseconds
	closed   chan struct{}
	once     sync.Once
	timedOut atomic.Bool
}

func newWatched(c net.Conn, timeout time.Duration) *watched {
	w := &watched{Conn: c, timeout: timeout, closed: make(chan struct{})}
	w.lastRead.Store(time.Now().UnixNano())
	go w.watch()
	return w
}

func (w *watched) Read(b []byte) (int, error) {
	n, err := w.Conn.Read(b)
	if n > 0 {
		w.lastRead.Store(time.Now().UnixNano())
	}
	return n, err
}

func (w *watched) Close() error {
	w.once.Do(func() { close(w.closed) })
	return w.Conn.Close()
}

// await counts a command as awaiting its answer until done is called.
func (w *watched) await() (done func()) {
	if w.waiting.Add(1) == 1 {
		w.lastRead.Store(time.Now().UnixNano())
	}
	return func() { w.waiting.Add(-1) }
}

func (w *watched) watch() {
	tick := time.NewTicker(min(w.timeout/4, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-w.closed:
			return
		case <-tick.C:
			idle := time.Since(time.Unix(0, w.lastRead.Load()))
			if w.waiting.Load() > 0 && idle > w.timeout {
				w.timedOut.Store(true)
				w.Close()
				return
			}
		}
	}
}

// wait waits for cmd's answer under the watchdog.
func (c *conn) wait(cmd interface{ Wait() error }) error {
	defer c.w.await()()
	return c.explain(cmd.Wait())
}

// explain turns a closed connection's error into what happened.
func (c *conn) explain(err error) error {
	if err != nil && c.w.timedOut.Load() {
		return fmt.Errorf("the server did not answer for %v: %w", c.w.timeout, err)
	}
	return err
}

// dial connects to the target and signs in.
func (r *run) dial(ctx context.Context) (*conn, error) {
	t := r.opts.Target
	cfg, err := transport.TLSConfig(t.Host, t.CAFile, r.opts.RootCAs)
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort(t.Host, strconv.Itoa(t.Port))
	d := &net.Dialer{Timeout: r.opts.Timeout}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	w := newWatched(raw, r.opts.Timeout)
	c := &conn{w: w}
	// The watchdog covers the greeting, the TLS handshake and STARTTLS.
	done := w.await()
	defer done()
	stop := context.AfterFunc(ctx, func() { w.Close() })
	defer stop()
	var nc net.Conn = w
	opts := &imapclient.Options{TLSConfig: cfg}
	switch t.Security {
	case transport.SecurityTLS:
		tc := tlsClient(w, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			w.Close()
			return nil, c.explain(err)
		}
		nc = tc
		c.Client = imapclient.New(nc, opts)
	case transport.SecurityStartTLS:
		// NewStartTLS sends STARTTLS before anything else and fails
		// when the server refuses it: there is no fallback.
		c.Client, err = imapclient.NewStartTLS(nc, opts)
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("STARTTLS refused or failed (popvault never falls back to plaintext): %w", c.explain(err))
		}
	case transport.SecurityPlain:
		c.Client = imapclient.New(nc, opts)
	default:
		w.Close()
		return nil, fmt.Errorf("restore: unknown security %q", t.Security)
	}
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, c.explain(err)
	}
	if err := r.login(ctx, c); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// login signs in with the password, or with an OAuth token (OAUTHBEARER
// where offered, else XOAUTH2), renewed and tried once more if refused.
func (r *run) login(ctx context.Context, c *conn) error {
	t := r.opts.Target
	creds := r.opts.Credentials
	if creds.Token == nil {
		if err := c.wait(c.Login(t.User, creds.Password)); err != nil {
			return fmt.Errorf("signing in as %s: %w", t.User, err)
		}
		return nil
	}
	caps := c.Caps()
	oauthBearer := slices.Contains(caps.AuthMechanisms(), "OAUTHBEARER")
	for want := bearer.Current; ; want = bearer.Renewed {
		token, err := creds.Token(ctx, want)
		if err != nil {
			return err
		}
		sc := bearer.NewXOAuth2(t.User, token)
		if oauthBearer {
			sc = bearer.NewOAuthBearer(t.User, token, t.Host, t.Port)
		}
		done := c.w.await()
		err = c.explain(c.Authenticate(sc))
		done()
		var ierr *imap.Error
		if err == nil || want == bearer.Renewed || !errors.As(err, &ierr) {
			if err != nil {
				return fmt.Errorf("signing in as %s: %w", t.User, err)
			}
			return nil
		}
	}
}

// logout ends a connection politely, but without waiting long.
func (c *conn) logout() {
	if c == nil || c.Client == nil {
		return
	}
	done := make(chan struct{})
	go func() {
		c.Logout().Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
	c.Close()
}

func tlsClient(c net.Conn, cfg *tls.Config) *tls.Conn { return tls.Client(c, cfg) }
