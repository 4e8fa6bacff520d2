package pop3

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// MessageInfo describes one message of the maildrop. List fills Size,
// UIDL fills UID.
type MessageInfo struct {
	ID   int    // the message number in this session
	Size int64  // octets, as the server counts them (RFC 1939 says "exact")
	UID  string // the unique-id: stable across sessions
}

// Stat returns the number of messages and their total size.
func (c *Client) Stat(ctx context.Context) (count int, size int64, err error) {
	err = c.do(ctx, func() error {
		text, err := c.cmd("", "STAT")
		if err != nil {
			return err
		}
		f := strings.Fields(text)
		if len(f) < 2 {
			return protocolError("STAT", text)
		}
		count, err = parseID(f[0])
		if err == nil {
			size, err = strconv.ParseInt(f[1], 10, 64)
		}
		if err != nil || size < 0 {
			return protocolError("STAT", text)
		}
		return nil
	})
	return count, size, err
}

// List returns every message's number and size.
func (c *Client) List(ctx context.Context) ([]MessageInfo, error) {
	return c.listing(ctx, "LIST", func(m *MessageInfo, val string) error {
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("size %q", val)
		}
		m.Size = n
		return nil
	})
}

// UIDL returns every message's number and unique-id.
func (c *Client) UIDL(ctx context.Context) ([]MessageInfo, error) {
	return c.listing(ctx, "UIDL", func(m *MessageInfo, val string) error {
		if len(val) > 512 || strings.ContainsFunc(val, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
			return fmt.Errorf("unique-id %q", val)
		}
		m.UID = val
		return nil
	})
}

// listing sends name and parses its "number value" lines.
func (c *Client) listing(ctx context.Context, name string, set func(*MessageInfo, string) error) ([]MessageInfo, error) {
	var out []MessageInfo
	err := c.do(ctx, func() error {
		if _, err := c.cmd("", name); err != nil {
			return err
		}
		return c.readListing(name, func(line string) error {
			f := strings.Fields(line)
			if len(f) < 2 {
				return protocolError(name, line)
			}
			id, err := parseID(f[0])
			if err != nil {
				return protocolError(name, line)
			}
			m := MessageInfo{ID: id}
			if err := set(&m, f[1]); err != nil {
				return fmt.Errorf("%w: %s: %v", ErrProtocol, name, err)
			}
			out = append(out, m)
			return nil
		})
	})
	return out, err
}

func parseID(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: message number %q", ErrProtocol, s)
	}
	return n, nil
}
