package pop3

import (
	"context"
	"fmt"
)

// StartTLS upgrades the session with STLS (RFC 2595) using
// [Options.TLSConfig]. It never falls back: if the server does not offer
// STLS, refuses it, answers oddly, sends anything between its +OK and the
// handshake, or presents a certificate that does not verify, StartTLS
// returns an error, nothing else is sent, and the session is unusable for
// credentials. The capabilities learnt before TLS are forgotten; with
// [Options.Known] those are taken instead of asking CAPA again.
func (c *Client) StartTLS(ctx context.Context) error {
	if c.isTLS {
		return fmt.Errorf("%w: already TLS", ErrSTLSFailed)
	}
	caps, err := c.Capa(ctx)
	if err != nil {
		return err
	}
	if !caps.Has("STLS") {
		c.Close()
		return ErrSTLSUnavailable
	}
	err = c.do(ctx, func() error {
		if _, err := c.cmd("", "STLS"); err != nil {
			return fmt.Errorf("%w: %w", ErrSTLSFailed, err)
		}
		if c.br.Buffered() > 0 {
			return ErrInjection
		}
		tc, err := handshake(ctx, c.dc, c.opts.TLSConfig, c.opts.Timeout)
		if err != nil {
			return err
		}
		c.conn, c.isTLS, c.caps = tc, true, nil
		if c.opts.Known != nil {
			// Learnt over TLS in an earlier session, unlike what this
			// one was told before STLS: no CAPA needed.
			c.caps = c.opts.Known.clone()
		}
		c.br.Reset(tc)
		c.bw.Reset(tc)
		return nil
	})
	if err != nil && !c.isTLS {
		c.Close() // a refused STLS leaves a plaintext session nobody should use
	}
	return err
}
