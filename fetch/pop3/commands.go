package pop3

import "context"

// Dele marks message id for deletion; the server deletes it only when
// [Client.Quit] succeeds.
func (c *Client) Dele(ctx context.Context, id int) error {
	return c.simple(ctx, "DELE", itoa(id))
}

// Noop does nothing but keeps the session alive.
func (c *Client) Noop(ctx context.Context) error { return c.simple(ctx, "NOOP") }

// Rset unmarks every message marked for deletion.
func (c *Client) Rset(ctx context.Context) error { return c.simple(ctx, "RSET") }

// Quit ends the session. Only a successful Quit makes the server delete the
// messages marked with Dele (RFC 1939, section 6); a -ERR means some may not
// have been deleted. The connection is closed either way.
func (c *Client) Quit(ctx context.Context) error {
	err := c.simple(ctx, "QUIT")
	c.Close()
	return err
}

func (c *Client) simple(ctx context.Context, name string, args ...string) error {
	return c.do(ctx, func() error {
		_, err := c.cmd("", name, args...)
		return err
	})
}
