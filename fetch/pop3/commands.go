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

// QuitWithoutWaiting ends a session that read and marked nothing: it
// sends QUIT and closes without waiting for the reply, a round trip
// sooner than Quit. The reply says whether the server entered its UPDATE
// state, which changes nothing for such a session (RFC 1939, section 6).
// After a DELE or a RETR (which some servers, Gmail's among them, count
// as a download when the session ends) it is Quit: it waits.
func (c *Client) QuitWithoutWaiting(ctx context.Context) error {
	if c.changed {
		return c.Quit(ctx)
	}
	err := c.do(ctx, func() error {
		if err := c.send("", "QUIT"); err != nil {
			return err
		}
		if err := c.bw.Flush(); err != nil {
			return readErr(err)
		}
		return nil
	})
	c.Close()
	return err
}

func (c *Client) simple(ctx context.Context, name string, args ...string) error {
	return c.do(ctx, func() error {
		_, err := c.cmd("", name, args...)
		return err
	})
}
