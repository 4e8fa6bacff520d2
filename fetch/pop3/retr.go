package pop3

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
)

// Retr retrieves message id and passes its content to f as a stream,
// dot-unstuffed and otherwise exactly as the server sent it. The reader is
// valid only during f; what f leaves unread is discarded.
func (c *Client) Retr(ctx context.Context, id int, f func(r io.Reader) error) error {
	return c.multiline(ctx, f, "RETR", itoa(id))
}

// Top retrieves the headers of message id and the first lines of its body
// (RFC 1939 TOP) and passes them to f as Retr does.
func (c *Client) Top(ctx context.Context, id, lines int, f func(r io.Reader) error) error {
	return c.multiline(ctx, f, "TOP", itoa(id), itoa(lines))
}

func (c *Client) multiline(ctx context.Context, f func(r io.Reader) error, name string, args ...string) error {
	var ferr error
	err := c.do(ctx, func() error {
		if _, err := c.cmd("", name, args...); err != nil {
			return err
		}
		var err error
		ferr, err = c.body(f)
		return err
	})
	if err != nil {
		return err
	}
	return ferr
}

// body passes the multi-line reply that follows to f, then drains whatever
// f did not read so that the next reply is in step. It returns f's error
// and, apart, the connection's. An f that returns ErrAbort is not drained
// for: its error is the connection's too, which closes the session.
func (c *Client) body(f func(r io.Reader) error) (ferr, err error) {
	r := &bodyReader{br: c.br, lineStart: true}
	ferr = f(r)
	if errors.Is(ferr, ErrAbort) {
		return ferr, ferr
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return ferr, err
	}
	c.logBody(r.n)
	return ferr, nil
}

// bodyReader un-stuffs a multi-line reply (RFC 1939, section 3) without
// touching anything else: only a dot at the start of a line, which begins
// after CRLF, is removed, and CRLF.CRLF ends the reply. Bare LF, NUL and
// lines of any length pass through, and nothing is buffered beyond the
// bufio.Reader beneath.
type bodyReader struct {
	br        *bufio.Reader
	lineStart bool // the next byte begins a line
	prevCR    bool // the last byte returned was CR
	done      bool
	err       error
	n         int64
}

var dotLine = []byte("\n.")

func (r *bodyReader) Read(p []byte) (int, error) {
	if r.done {
		return 0, io.EOF
	}
	if r.err != nil {
		return 0, r.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if r.lineStart {
		if end, err := r.dotStart(); end || err != nil {
			return 0, err
		}
	}
	if _, err := r.br.Peek(1); err != nil {
		r.err = readErr(err)
		return 0, r.err
	}
	buf, _ := r.br.Peek(min(r.br.Buffered(), len(p)))
	// Stop after a line end that is followed by a dot, which must be looked at.
	if i := bytes.Index(buf, dotLine); i >= 0 {
		buf = buf[:i+1]
	}
	n := copy(p, buf)
	r.br.Discard(n)
	r.n += int64(n)
	last := p[n-1]
	r.lineStart = last == '\n' && (n >= 2 && p[n-2] == '\r' || n == 1 && r.prevCR)
	r.prevCR = last == '\r'
	return n, nil
}

// dotStart handles a line that may begin with a dot: the terminating
// ".\r\n" ends the reply; any other leading dot is stuffing and is dropped.
func (r *bodyReader) dotStart() (end bool, err error) {
	r.lineStart = false
	b, err := r.br.Peek(1)
	if err != nil {
		r.err = readErr(err)
		return false, r.err
	}
	if b[0] != '.' {
		return false, nil
	}
	b, err = r.br.Peek(3)
	if err != nil {
		r.err = readErr(err)
		return false, r.err
	}
	if b[1] == '\r' && b[2] == '\n' {
		r.br.Discard(3)
		r.done = true
		return true, io.EOF
	}
	r.br.Discard(1)
	r.prevCR = false
	return false, nil
}
