package pop3

import "fmt"

// Credentials never reach the log: callers pass "<redacted>" as the shown
// form of a command that carries one.
const redacted = "<redacted>"

func (c *Client) logClient(line string) {
	if c.opts.DebugWriter != nil {
		fmt.Fprintf(c.opts.DebugWriter, "C: %s\n", line)
	}
}

func (c *Client) logServer(line string) {
	if c.opts.DebugWriter != nil {
		fmt.Fprintf(c.opts.DebugWriter, "S: %s\n", Sanitize(line))
	}
}

func (c *Client) logBody(n int64) {
	if c.opts.DebugWriter != nil {
		fmt.Fprintf(c.opts.DebugWriter, "S: <message, %d bytes>\n", n)
	}
}
