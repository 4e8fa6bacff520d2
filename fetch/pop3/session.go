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

// LoginAndList logs in with USER and PASS, then reads CAPA and UIDL. When
// the server announced PIPELINING before login (Dovecot does; Gmail only
// after), all four commands go in one flight, so a check that finds
// nothing new costs one round trip after the greeting and CAPA instead of
// four. LIST is left to the caller: servers such as Dovecot must read
// every message to count its size, and a check that finds nothing new
// does not need sizes.
func (c *Client) LoginAndList(ctx context.Context, user, password string) (*Listing, error) {
	if err := c.mayAuth("USER", user, password); err != nil {
		return nil, err
	}
	caps, err := c.Capa(ctx)
	if err != nil {
		return nil, err
	}
	if !caps.Has("PIPELINING") {
		if err := c.Login(ctx, user, password); err != nil {
			return nil, err
		}
		return c.Listing(ctx)
	}
	l := &Listing{Caps: Capabilities{}}
	var loginErr error
	err = c.do(ctx, func() error {
		c.send("", "USER", user)
		c.send(redacted, "PASS", password)
		c.send("", "CAPA")
		c.send("", "UIDL")
		if err := c.bw.Flush(); err != nil {
			return readErr(err)
		}
		for _, name := range []string{"USER", "PASS"} {
			if _, err := c.status(name); err != nil && loginErr == nil {
				loginErr = err
			}
		}
		// After a failed login the server still answers the rest, UIDL
		// with -ERR; read them all to stay in step.
		return c.readListings(l)
	})
	if err != nil {
		return nil, err
	}
	if loginErr != nil {
		return nil, loginErr
	}
	c.caps = l.Caps
	return l, nil
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

// Listing reads CAPA and UIDL one at a time, after a login by other means
// (SASL, APOP). A server without UIDL gives a Listing with HasUIDL false.
func (c *Client) Listing(ctx context.Context) (*Listing, error) {
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
