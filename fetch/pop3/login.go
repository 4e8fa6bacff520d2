package pop3

import "errors"

// A login ends the AUTHORIZATION state, and on some servers the process
// that read it: Courier's login process checks the password and then
// hands the connection to the mail process, so whatever the client sent
// after PASS, and the login process had already read, is lost. PIPELINING
// holds within a state (RFC 2449, section 6.6), not across the login: the
// commands of a login go in one flight at most, and nothing follows the
// last of them until its reply has come.
//
// UTF8 (RFC 6856) goes first when the server announced it. A server in
// that mode sends each message as it stores it; one that was never asked
// may send something else instead of a message whose header holds UTF-8
// (Courier sends a "Cannot display Unicode content" notice), and in delete
// mode the original would then be deleted. The archive keeps bytes as they
// come, so it wants the message as stored.

// command is one command line; shown, when set, stands for its arguments
// in the log because they hold a credential.
type command struct {
	shown string
	name  string
	args  []string
}

// withUTF8 puts UTF8 before cmds when the capabilities read before login
// announce it and the session has not sent it yet. Capabilities that were
// not read announce nothing.
func (c *Client) withUTF8(cmds ...command) []command {
	if c.caps.Has("UTF8") && !c.utf8Sent {
		return append([]command{{name: "UTF8"}}, cmds...)
	}
	return cmds
}

// authorize sends the commands of a login's AUTHORIZATION state, in one
// flight when the server announced PIPELINING and one at a time
// otherwise, and reads their replies. It returns the first refusal: in one
// flight after reading every reply, so that the session stays in step;
// one at a time before sending the next command (no PASS after a refused
// USER). A refused UTF8 is no error: the session goes on without it.
func (c *Client) authorize(cmds []command) error {
	flight := 1
	if c.caps.Has("PIPELINING") {
		flight = len(cmds)
	}
	for start := 0; start < len(cmds); start += flight {
		batch := cmds[start:min(start+flight, len(cmds))]
		for _, cmd := range batch {
			if err := c.send(cmd.shown, cmd.name, cmd.args...); err != nil {
				return err
			}
		}
		if err := c.bw.Flush(); err != nil {
			return readErr(err)
		}
		var refused error
		for _, cmd := range batch {
			_, err := c.status(cmd.name)
			var perr *Error
			switch {
			case cmd.name == "UTF8":
				c.utf8Sent = true
				if err != nil && !errors.As(err, &perr) {
					return err
				}
			case errors.As(err, &perr):
				if refused == nil {
					refused = err
				}
			case err != nil:
				return err
			}
		}
		if refused != nil {
			return refused
		}
	}
	return nil
}

// loggedIn records a successful login: the capabilities are read again
// (servers announce others after login), and whether the server announced
// PIPELINING before it, which lets [Client.Listing] send CAPA and UIDL in
// one flight.
func (c *Client) loggedIn() {
	c.pipelinedBefore = c.caps.Has("PIPELINING")
	c.before, c.caps = c.caps, nil
}
