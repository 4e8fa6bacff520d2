package imaptest

import (
	"bytes"
	"net"

	"github.com/emersion/go-imap/v2"
)

// hidingListener's connections take capabilities out of what the server
// announces: go-imap's server announces some (UNSELECT) whatever its
// options say.
type hidingListener struct {
	net.Listener
	hide []imap.Cap
}

func (l *hidingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil || len(l.hide) == 0 {
		return c, err
	}
	return &hidingConn{Conn: c, hide: l.hide}, nil
}

// hidingConn passes on whole lines, capability lines less the hidden
// capabilities. A partial line waits for its end, which always comes:
// each of the server's responses ends with CRLF. A command without
// arguments named by a hidden capability (UNSELECT) is answered as an
// unknown one, as by a server that lacks it.
type hidingConn struct {
	net.Conn
	hide    []imap.Cap
	partial []byte
}

func (c *hidingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	for _, h := range c.hide {
		// The same length, so that it fits where it was read.
		known, unknown := " "+string(h)+"\r\n", " X"+string(h)[1:]+"\r\n"
		copy(b[:n], bytes.ReplaceAll(b[:n], []byte(known), []byte(unknown)))
	}
	return n, err
}

func (c *hidingConn) Write(b []byte) (int, error) {
	c.partial = append(c.partial, b...)
	end := bytes.LastIndexByte(c.partial, '\n') + 1
	if end == 0 {
		return len(b), nil
	}
	var out []byte
	for _, line := range bytes.SplitAfter(c.partial[:end], []byte("\n")) {
		out = append(out, c.rewrite(line)...)
	}
	c.partial = append(c.partial[:0], c.partial[end:]...)
	if _, err := c.Conn.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// rewrite takes the hidden capabilities out of a CAPABILITY response or
// a status response's CAPABILITY code; other lines pass unchanged.
func (c *hidingConn) rewrite(line []byte) []byte {
	head := line[:min(len(line), 48)]
	if !bytes.HasPrefix(head, []byte("* CAPABILITY ")) && !bytes.Contains(head, []byte(" OK [CAPABILITY ")) {
		return line
	}
	for _, h := range c.hide {
		for _, end := range []string{" ", "]", "\r"} {
			line = bytes.ReplaceAll(line, []byte(" "+string(h)+end), []byte(end))
		}
	}
	return line
}
