package pop3

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// readLine reads one line, without its line ending, bounded by
// MaxLineLength so that a hostile server cannot make it grow without end.
func (c *Client) readLine() (string, error) {
	var line []byte
	for {
		frag, err := c.br.ReadSlice('\n')
		if len(line)+len(frag) > c.opts.MaxLineLength+2 {
			return "", fmt.Errorf("%w (over %d bytes)", ErrLineTooLong, c.opts.MaxLineLength)
		}
		line = append(line, frag...)
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull {
			return "", readErr(err)
		}
	}
	line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
	return string(line), nil
}

// readErr names an end of stream as the server closing the connection.
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("pop3: connection closed by server: %w", io.ErrUnexpectedEOF)
	}
	if errors.As(err, new(connError)) {
		return err
	}
	return fmt.Errorf("pop3: %w", err)
}

// status reads a reply to cmd: the text after "+OK", or an *Error for
// "-ERR", or ErrProtocol for anything else.
func (c *Client) status(cmd string) (string, error) {
	if err := c.readGreeting(); err != nil {
		return "", err
	}
	c.dc.startReply(cmd)
	line, err := c.readLine()
	if err != nil {
		return "", err
	}
	c.logServer(line)
	if ok, text := cutStatus(line, "+OK"); ok {
		return text, nil
	}
	if ok, text := cutStatus(line, "-ERR"); ok {
		return "", parseError(cmd, text)
	}
	return "", protocolError(cmd, line)
}

func protocolError(cmd, line string) error {
	return fmt.Errorf("%w: %s: unexpected reply %q", ErrProtocol, cmd, Sanitize(line))
}

// cutStatus reports whether line starts with the status word, and the text
// after it.
func cutStatus(line, word string) (bool, string) {
	if len(line) < len(word) || !strings.EqualFold(line[:len(word)], word) {
		return false, ""
	}
	rest := line[len(word):]
	if rest != "" && rest[0] != ' ' {
		return false, ""
	}
	return true, strings.TrimPrefix(rest, " ")
}

// maxCapaLines bounds a CAPA listing, which comes before TLS when STLS is
// used: RFC 2449 servers announce about ten capabilities.
const maxCapaLines = 100

// readListing reads the lines of a multi-line reply up to its "." line,
// un-stuffing dots, and passes each to f, bounded in lines and bytes.
func (c *Client) readListing(cmd string, f func(line string) error) error {
	maxLines, maxBytes := c.opts.MaxListEntries, c.opts.MaxListBytes
	if cmd == "CAPA" {
		maxLines = maxCapaLines
	}
	size := 0
	for n := 0; ; n++ {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if line == "." {
			return nil
		}
		if size += len(line); n == maxLines || size > maxBytes {
			return fmt.Errorf("%w: %s: over %d lines or %d MiB", ErrTooManyLines, cmd, maxLines, maxBytes>>20)
		}
		c.logServer(line)
		if err := f(strings.TrimPrefix(line, ".")); err != nil {
			return err
		}
	}
}

// send writes a command line without flushing. Arguments are checked first,
// so a CR or LF can never smuggle in a second command. When shown is not empty the
// log shows it in place of the arguments, which hold a credential.
func (c *Client) send(shown string, name string, args ...string) error {
	if err := checkArgs(name, args...); err != nil {
		return err
	}
	line := name
	if len(args) > 0 {
		line += " " + strings.Join(args, " ")
	}
	if shown == "" {
		c.logClient(line)
	} else {
		c.logClient(name + " " + shown)
	}
	if name == "DELE" || name == "RETR" {
		c.changed = true
	}
	c.bw.WriteString(line)
	_, err := c.bw.WriteString("\r\n")
	return err
}

// cmd sends one command, flushes, and reads its status line.
func (c *Client) cmd(shown, name string, args ...string) (string, error) {
	if err := c.send(shown, name, args...); err != nil {
		return "", err
	}
	if err := c.bw.Flush(); err != nil {
		return "", readErr(err)
	}
	return c.status(name)
}

// checkArgs validates arguments before a session is touched.
func checkArgs(name string, args ...string) error {
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, "\r\n\x00") {
			return fmt.Errorf("%w: %s argument", ErrInvalidArgument, name)
		}
	}
	return nil
}

// readGreeting reads the server's first line once; later calls return
// what the first found. A server that greets with anything but +OK is
// closing the session: so is the client, and nothing more is sent.
// Commands sent ahead of the greeting ([Options.Known]) have their
// replies read after it: every reply's reading starts here.
func (c *Client) readGreeting() error {
	if c.greeted {
		return c.greetErr
	}
	c.greeted = true
	text, err := c.status("greeting")
	if err != nil {
		c.greetErr, c.err = err, err
		c.dc.Close()
		return err
	}
	c.greeting = text
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
