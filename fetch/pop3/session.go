package pop3

import (
	"context"
	"errors"
)

// Listing is what a fetcher needs to know after login.
type Listing struct {
	Caps    Capabilities
	UIDs    []MessageInfo // from UIDL; empty when the server has none
	HasUIDL bool
}

// LoginAndList logs in with a password, then reads CAPA and UIDL. LIST is
// left to the caller: servers such as Dovecot must read every message to
// count its size, and a check that finds nothing new does not need sizes.
//
// On a connection without TLS (the user chose no encryption, and
// [Options.AllowInsecureAuth] is set) whose greeting offers APOP, it logs
// in with APOP: the password itself then never crosses the network, only
// a digest of it that is good for this session alone. If the server
// refuses APOP (some keep a separate APOP secret), USER and PASS follow,
// as they would have anyway. Over TLS, USER and PASS are used: the
// password is encrypted, and a server need not keep it readable for APOP.
//
// When the server announced PIPELINING before login (Dovecot does; Gmail
// only after), USER and PASS go in one flight and, once PASS's reply has
// come, CAPA and UIDL in the next: a check that finds nothing new costs
// three round trips after the greeting (CAPA, login, listing). With
// [Options.Known] over TLS there is no CAPA before login and no wait for
// the greeting: two round trips after the TLS handshake (login with the
// greeting, listing).
func (c *Client) LoginAndList(ctx context.Context, user, password string) (*Listing, error) {
	if err := c.mayAuth("USER", user, password); err != nil {
		return nil, err
	}
	if _, err := c.Capa(ctx); err != nil {
		return nil, err
	}
	err := ErrNoAPOP
	if !c.isTLS {
		err = c.APOP(ctx, user, password)
	}
	var perr *Error
	if errors.Is(err, ErrNoAPOP) || errors.As(err, &perr) && !perr.Temporary() {
		err = c.Login(ctx, user, password)
	}
	if err != nil {
		return nil, err
	}
	return c.Listing(ctx)
}

// readListings reads the replies to a pipelined CAPA and UIDL.
func (c *Client) readListings(l *Listing) error {
	var perr *Error
	for _, name := range []string{"CAPA", "UIDL"} {
		_, err := c.status(name)
		if errors.As(err, &perr) {
			continue
		}
		if err != nil {
			return err
		}
		err = c.readListing(name, func(line string) error { return l.add(name, line) })
		if err != nil {
			return err
		}
		l.HasUIDL = l.HasUIDL || name == "UIDL"
	}
	return nil
}

func (l *Listing) add(name, line string) error {
	if name == "CAPA" {
		addCapability(l.Caps, line)
		return nil
	}
	m, err := parseListingLine(name, line)
	if err != nil {
		return err
	}
	l.UIDs = append(l.UIDs, m)
	return nil
}

// Listing reads CAPA and UIDL after a login. When the server announced
// PIPELINING before the login, both go in one flight; otherwise one at a
// time (Gmail announces PIPELINING only after login). A server without
// UIDL gives a Listing with HasUIDL false.
func (c *Client) Listing(ctx context.Context) (*Listing, error) {
	if c.caps == nil && c.pipelinedBefore {
		l := &Listing{Caps: Capabilities{}}
		err := c.do(ctx, func() error {
			c.send("", "CAPA")
			c.send("", "UIDL")
			if err := c.bw.Flush(); err != nil {
				return readErr(err)
			}
			return c.readListings(l)
		})
		if err != nil {
			return nil, err
		}
		c.caps = l.Caps
		return l, nil
	}
	caps, err := c.Capa(ctx)
	if err != nil {
		return nil, err
	}
	l := &Listing{Caps: caps}
	l.UIDs, err = c.UIDL(ctx)
	var perr *Error
	if errors.As(err, &perr) {
		return l, nil
	}
	l.HasUIDL = err == nil
	return l, err
}
