// Package pop3 is a POP3 client: RFC 1939 (the protocol, APOP), RFC 2449
// (CAPA, PIPELINING, response codes), RFC 2595 (STLS), RFC 5034 (SASL
// AUTH), RFC 6856 (UTF8) and RFC 8314 (implicit TLS).
//
// It knows nothing of archives or windows. A [Client] wraps any net.Conn;
// [Dial] and [DialTLS] connect for you. Every method takes a context and every
// read and write is bounded by [Options.Timeout] of silence, so a stalled
// server cannot hang a caller. Messages are streamed, dot-unstuffed and
// otherwise byte-exact: line endings, NUL bytes and long lines arrive as the
// server sent them.
//
// Credentials are never sent over a connection that is not TLS unless
// [Options.AllowInsecureAuth] is set, and [Client.StartTLS] never falls back to
// plaintext: any failure is returned and the session must be abandoned.
package pop3

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// Options configure a [Client]. The zero value, or nil, means defaults.
type Options struct {
	// TLSConfig is used by [Client.StartTLS] and [DialTLS]. Nil means
	// verified certificates from the system's roots. Dial and DialTLS set
	// ServerName from the address when it is empty. To trust a self-hosted
	// server's own certificate, set RootCAs.
	TLSConfig *tls.Config

	// Timeout is how long a read or write may make no progress before it
	// fails. Zero means 60 seconds.
	Timeout time.Duration

	// AllowInsecureAuth permits credentials on a connection that is not
	// TLS. Only set it when the user chose "no encryption".
	AllowInsecureAuth bool

	// MaxLineLength bounds a status line or one line of a listing, in bytes.
	// Zero means 8192 (RFC 2449 allows 512).
	MaxLineLength int

	// MaxListEntries bounds the lines of a LIST or UIDL listing. Zero
	// means 1,000,000. CAPA takes at most 100, however this is set.
	MaxListEntries int

	// MaxListBytes bounds the bytes of one LIST or UIDL listing. Zero
	// means 64 MiB: a million UIDs of 60 characters.
	MaxListBytes int

	// MinRate is the slowest a reply may arrive, in bytes per second on
	// average from when the client starts reading it, once Timeout has
	// passed: a server that trickles a byte at a time, which never trips
	// Timeout, is cut off. Zero means 1,024 (a slow mobile link sends
	// tens of times more); negative turns the rule off.
	MinRate int

	// MaxInFlight is how many commands may await replies at once when the
	// server announces PIPELINING. Zero means 100, as mpop does.
	MaxInFlight int

	// Known is what the server announced in reply to CAPA before login,
	// over TLS, in an earlier session ([Client.CapsBeforeLogin]). On a
	// TLS connection the client takes it for the server's word instead of
	// asking again, and the first commands of its login go out with the
	// TLS handshake rather than after the greeting, which then comes with
	// their replies: a login costs one round trip rather than three (two
	// after STLS, whose greeting and CAPA before TLS are still waited
	// for). Only how commands are grouped depends on it, never whether a
	// credential may be sent: that still needs TLS. A server that has
	// changed since may refuse or drop what the client sent: start again
	// without Known.
	Known Capabilities

	// DebugWriter, when set, receives the conversation. Passwords, SASL
	// responses and APOP digests are replaced by "<redacted>" and message
	// bodies by their size, but user names and server text still appear:
	// treat the log as private.
	DebugWriter io.Writer
}

func (o *Options) withDefaults() Options {
	var v Options
	if o != nil {
		v = *o
	}
	if v.Timeout <= 0 {
		v.Timeout = 60 * time.Second
	}
	if v.MaxLineLength <= 0 {
		v.MaxLineLength = 8192
	}
	if v.MaxListEntries <= 0 {
		v.MaxListEntries = 1_000_000
	}
	if v.MaxListBytes <= 0 {
		v.MaxListBytes = 64 << 20
	}
	if v.MinRate == 0 {
		v.MinRate = 1024
	}
	if v.MaxInFlight <= 0 {
		v.MaxInFlight = 100
	}
	return v
}

// Client is a POP3 session. Its methods must not be called concurrently.
type Client struct {
	opts     Options
	dc       *deadlineConn // the transport, with deadlines and cancellation
	conn     net.Conn      // what is read and written: dc, or TLS over it
	br       *bufio.Reader
	bw       *bufio.Writer
	isTLS    bool
	greeted  bool
	greetErr error // the greeting's refusal
	greeting string
	caps     Capabilities // nil until read; reset by login and STLS
	err      error        // sticky: the session is out of step or closed
	changed  bool         // DELE or RETR was sent: the session's end matters

	utf8Sent        bool         // UTF8 was sent (RFC 6856); once is enough
	pipelinedBefore bool         // PIPELINING was announced before login
	before          Capabilities // the capabilities the login went by
	early           bool         // commands may go before the greeting has come (Options.Known)
	twoStep         bool         // the server refused a SASL initial response
}

const bufSize = 64 << 10

// New returns a client for conn, which may already be a *tls.Conn. It does
// no I/O: the greeting is read by the first method that talks to the server.
func New(conn net.Conn, opts *Options) *Client {
	o := opts.withDefaults()
	dc := &deadlineConn{Conn: conn, timeout: o.Timeout, minRate: o.MinRate}
	_, isTLS := conn.(interface{ ConnectionState() tls.ConnectionState })
	c := &Client{
		opts:  o,
		dc:    dc,
		conn:  dc,
		br:    bufio.NewReaderSize(dc, bufSize),
		bw:    bufio.NewWriterSize(dc, 4096),
		isTLS: isTLS,
	}
	if isTLS && o.Known != nil {
		c.caps, c.early = o.Known.clone(), true
	}
	return c
}

// Dial connects to addr ("host:port") without TLS and reads the greeting.
// Call [Client.StartTLS] before logging in unless the user chose no
// encryption.
func Dial(ctx context.Context, addr string, opts *Options) (*Client, error) {
	o := opts.withDefaults()
	o.TLSConfig = tlsConfigFor(o.TLSConfig, addr)
	raw, err := dial(ctx, addr, o.Timeout)
	if err != nil {
		return nil, err
	}
	c := New(raw, &o)
	if _, err := c.Greet(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// DialTLS connects to addr with implicit TLS (RFC 8314, usually port 995),
// verifies the certificate and reads the greeting; with [Options.Known]
// it leaves the greeting to come with the replies to the login.
func DialTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	o := opts.withDefaults()
	o.TLSConfig = tlsConfigFor(o.TLSConfig, addr)
	raw, err := dial(ctx, addr, o.Timeout)
	if err != nil {
		return nil, err
	}
	tc, err := handshake(ctx, raw, o.TLSConfig, o.Timeout)
	if err != nil {
		raw.Close()
		return nil, err
	}
	c := New(tc, &o)
	if c.early {
		return c, nil
	}
	if _, err := c.Greet(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func dial(ctx context.Context, addr string, timeout time.Duration) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pop3: connect: %w", err)
	}
	return conn, nil
}

// tlsConfigFor returns a copy of cfg whose ServerName is addr's host when
// cfg does not name one.
func tlsConfigFor(cfg *tls.Config, addr string) *tls.Config {
	if cfg == nil {
		cfg = &tls.Config{}
	} else {
		cfg = cfg.Clone()
	}
	if cfg.ServerName == "" {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			cfg.ServerName = host
		}
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

// handshake runs a TLS client handshake on conn bounded by ctx and timeout.
func handshake(ctx context.Context, conn net.Conn, cfg *tls.Config, timeout time.Duration) (*tls.Conn, error) {
	if cfg.ServerName == "" && !cfg.InsecureSkipVerify {
		return nil, errors.New("pop3: TLS needs a server name to verify")
	}
	tc := tls.Client(conn, cfg)
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		return nil, fmt.Errorf("pop3: TLS handshake: %w", err)
	}
	return tc, nil
}

// IsTLS reports whether the session is encrypted, by implicit TLS or STLS.
func (c *Client) IsTLS() bool { return c.isTLS }

// Close closes the connection without QUIT, so the server deletes nothing
// (RFC 1939, section 6).
func (c *Client) Close() error {
	if c.err == nil {
		c.err = ErrClosed
	}
	return c.dc.Close()
}

// do runs one exchange with the server under ctx. Errors other than a
// server's -ERR leave the session out of step, so they close it.
func (c *Client) do(ctx context.Context, f func() error) error {
	if c.err != nil {
		return c.err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("pop3: %w", err)
	}
	stop := context.AfterFunc(ctx, func() { c.dc.interrupt(context.Cause(ctx)) })
	defer stop()
	var err error
	if !c.early {
		err = c.readGreeting()
	}
	if err == nil {
		err = f()
	}
	var perr *Error
	if err != nil && !errors.As(err, &perr) {
		c.err = err
		c.dc.Close()
	}
	return err
}
