package pop3

import (
	"context"
	"errors"
	"strings"
)

// Capabilities are what a server announced in reply to CAPA (RFC 2449):
// upper-cased names mapped to their arguments.
type Capabilities map[string][]string

// Has reports whether the server announced name.
func (c Capabilities) Has(name string) bool {
	_, ok := c[strings.ToUpper(name)]
	return ok
}

// SASL lists the SASL mechanisms the server offers.
func (c Capabilities) SASL() []string { return c["SASL"] }

// Capa asks the server for its capabilities and caches them until login or
// STLS, after which servers may announce others (Gmail announces PIPELINING
// only after login; RFC 2595 requires forgetting the pre-TLS list). A server
// that answers CAPA with -ERR has none.
func (c *Client) Capa(ctx context.Context) (Capabilities, error) {
	if c.caps != nil {
		return c.caps, nil
	}
	caps := Capabilities{}
	err := c.do(ctx, func() error {
		_, err := c.cmd("", "CAPA")
		var perr *Error
		if errors.As(err, &perr) {
			return nil
		}
		if err != nil {
			return err
		}
		return c.readListing("CAPA", func(line string) error {
			addCapability(caps, line)
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	c.caps = caps
	return caps, nil
}

func (c Capabilities) clone() Capabilities {
	out := make(Capabilities, len(c))
	for k, v := range c {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// CapsBeforeLogin returns the capabilities the login went by: what the
// server announced before it over TLS, or what [Options.Known] said it
// would. Nil before a login, and for a session without TLS, whose list a
// man in the middle may have written (RFC 2595).
func (c *Client) CapsBeforeLogin() Capabilities {
	if !c.isTLS || c.before == nil {
		return nil
	}
	return c.before.clone()
}

func addCapability(caps Capabilities, line string) {
	if fields := strings.Fields(line); len(fields) > 0 {
		caps[strings.ToUpper(fields[0])] = fields[1:]
	}
}

// Greet reads the server's greeting if it has not been read, and returns
// its text, sanitized.
func (c *Client) Greet(ctx context.Context) (string, error) {
	err := c.do(ctx, c.readGreeting)
	return Sanitize(c.greeting), err
}

// pipelining reports whether commands may be sent ahead of replies.
func (c *Client) pipelining(ctx context.Context) bool {
	caps, err := c.Capa(ctx)
	return err == nil && caps.Has("PIPELINING")
}
