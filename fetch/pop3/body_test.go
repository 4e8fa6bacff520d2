package pop3

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"popvault/fetch/pop3test"
)

// Bodies that must come back exactly as they went in.
var awkwardBodies = map[string]string{
	"plain":                   "Subject: hi\r\n\r\nhello\r\n",
	"dot lines":               "Subject: dots\r\n\r\n.\r\n..\r\n.x\r\n...\r\nend\r\n",
	"dot after bare LF":       "a\n.b\n.\nc\r\n",
	"bare CR and LF":          "a\rb\nc\r\r\n\n\r\n",
	"NUL bytes":               "x\x00y\r\n\x00\r\n",
	"no final CRLF, dot last": "body\r\n.",
	"CRLF.CR without LF":      "a\r\n.\rb\r\n",
	"one megabyte line":       strings.Repeat("y", 1<<20) + "\r\n",
	"empty":                   "\r\n",
	"8-bit":                   "Subject: \xe9t\xe9\r\n\r\n\xff\xfe\r\n",
}

// wantBack is what a POP3 round trip yields: the server must end the last
// line with CRLF before the terminator.
func wantBack(body string) string {
	if !strings.HasSuffix(body, "\r\n") {
		return body + "\r\n"
	}
	return body
}

func TestRetrByteExact(t *testing.T) {
	for name, body := range awkwardBodies {
		t.Run(name, func(t *testing.T) {
			wire := "+OK\r\n+OK\r\n" + string(pop3test.Stuff([]byte(body))) + "+OK\r\n"
			c := New(&scriptConn{r: strings.NewReader(wire)}, nil)
			var got []byte
			err := c.Retr(context.Background(), 1, func(r io.Reader) error {
				var err error
				got, err = io.ReadAll(r)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != wantBack(body) {
				t.Errorf("got %q, want %q", trim(got), trim([]byte(wantBack(body))))
			}
			if err := c.Noop(context.Background()); err != nil {
				t.Errorf("next command out of step: %v", err)
			}
		})
	}
}

// A caller that reads only part of a message, in tiny reads, still leaves
// the session in step.
func TestRetrPartialAndTinyReads(t *testing.T) {
	body := awkwardBodies["dot lines"]
	wire := "+OK\r\n+OK\r\n" + string(pop3test.Stuff([]byte(body))) + "+OK\r\n" + string(pop3test.Stuff([]byte(body))) + "+OK\r\n"
	c := New(&scriptConn{r: strings.NewReader(wire)}, nil)
	ctx := context.Background()
	err := c.Retr(ctx, 1, func(r io.Reader) error {
		_, err := r.Read(make([]byte, 3))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	err = c.Retr(ctx, 2, func(r io.Reader) error {
		_, err := io.CopyBuffer(&got, onlyReader{r}, make([]byte, 1))
		return err
	})
	if err != nil || got.String() != body {
		t.Fatalf("got %q, %v", got.String(), err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
}

type onlyReader struct{ io.Reader }

func trim(b []byte) string {
	if len(b) > 80 {
		return string(b[:40]) + "…" + string(b[len(b)-40:])
	}
	return string(b)
}
