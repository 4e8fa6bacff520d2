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
func (c *Client) List(ctx context.Context) ([]MessageInfo, error) { return c.listing(ctx, "LIST") }

// UIDL returns every message's number and unique-id.
func (c *Client) UIDL(ctx context.Context) ([]MessageInfo, error) { return c.listing(ctx, "UIDL") }

// listing sends name and parses its "number value" lines.
func (c *Client) listing(ctx context.Context, name string) ([]MessageInfo, error) {
	var out []MessageInfo
	err := c.do(ctx, func() error {
		if _, err := c.cmd("", name); err != nil {
			return err
		}
		return c.readListing(name, func(line string) error {
			m, err := parseListingLine(name, line)
			if err == nil {
				out = append(out, m)
			}
			return err
		})
	})
	return out, err
}

// parseListingLine parses "number size" (LIST) or "number unique-id" (UIDL).
func parseListingLine(name, line string) (MessageInfo, error) {
	f := strings.Fields(line)
	if len(f) < 2 {
		return MessageInfo{}, protocolError(name, line)
	}
	id, err := parseID(f[0])
	if err != nil {
		return MessageInfo{}, protocolError(name, line)
	}
	m := MessageInfo{ID: id}
	if name == "LIST" {
		n, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || n < 0 {
			return m, fmt.Errorf("%w: LIST: size %q", ErrProtocol, Sanitize(f[1]))
		}
		m.Size = n
		return m, nil
	}
	if len(f[1]) > 512 || strings.ContainsFunc(f[1], func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		return m, fmt.Errorf("%w: UIDL: unique-id %q", ErrProtocol, Sanitize(f[1]))
	}
	m.UID = strings.Clone(f[1]) // not a slice of the line: that would keep all of it
	return m, nil
}

func parseID(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: message number %q", ErrProtocol, s)
	}
	return n, nil
}
