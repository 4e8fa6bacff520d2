package pop3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"popvault/fetch/pop3test"
)

// FuzzStatus feeds arbitrary status lines: the client must return +OK text,
// an *Error or ErrProtocol, and never panic.
func FuzzStatus(f *testing.F) {
	for _, s := range []string{"+OK", "+OK 2 320", "-ERR", "-ERR [IN-USE] locked", "-ERR [SYS/TEMP", "+OKAY", "", "+ ", "-ERR [\x00] x", "+ok lower"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		c, _ := script("+OK\n"+strings.ReplaceAll(line, "\n", "")+"\n", false, nil)
		err := c.Noop(context.Background())
		var perr *Error
		if err != nil && !errors.As(err, &perr) && !errors.Is(err, ErrProtocol) && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("unexpected error kind: %v", err)
		}
		if perr != nil && strings.ContainsAny(perr.Text, "\x00\x1b\r\n") {
			t.Fatalf("unsanitized text %q", perr.Text)
		}
	})
}

// FuzzListing feeds arbitrary UIDL and LIST bodies.
func FuzzListing(f *testing.F) {
	for _, s := range []string{"1 abc\n2 def\n", "1\n", "x y\n", "1 -1\n", "..\n", "99999999999999999999 1\n", "1 " + strings.Repeat("u", 600) + "\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		wire := "+OK\n+OK\n" + body + "\n.\n+OK\n" + body + "\n.\n"
		c, _ := script(wire, false, &Options{MaxLineLength: 1024, MaxListEntries: 1000})
		list, err := c.UIDL(context.Background())
		for _, m := range list {
			if m.ID < 0 || m.UID == "" {
				t.Fatalf("bad entry %+v", m)
			}
		}
		checkListingErr(t, "UIDL", err)
		if err == nil {
			sizes, err := c.List(context.Background())
			for _, m := range sizes {
				if m.ID < 0 || m.Size < 0 {
					t.Fatalf("bad entry %+v", m)
				}
			}
			checkListingErr(t, "LIST", err)
		}
	})
}

// checkListingErr fails on an error a listing may not return: only a
// protocol error, a limit, the end of the stream or a server's -ERR.
func checkListingErr(t *testing.T, cmd string, err error) {
	var perr *Error
	if err == nil || errors.As(err, &perr) || errors.Is(err, ErrProtocol) || errors.Is(err, ErrTooManyLines) ||
		errors.Is(err, ErrLineTooLong) || errors.Is(err, io.ErrUnexpectedEOF) {
		return
	}
	t.Fatalf("%s: unexpected error kind: %v", cmd, err)
}

// FuzzDotUnstuff checks that stuffing then un-stuffing gives back the bytes,
// and that arbitrary input never panics or returns more than it was given.
func FuzzDotUnstuff(f *testing.F) {
	for _, s := range awkwardBodies {
		if len(s) < 4096 {
			f.Add([]byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := New(&scriptConn{r: bytes.NewReader(append([]byte("+OK\r\n+OK\r\n"), pop3test.Stuff(data)...))}, nil)
		var got []byte
		err := c.Retr(context.Background(), 1, func(r io.Reader) error {
			var err error
			got, err = io.ReadAll(r)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != wantBack(string(data)) {
			t.Fatalf("round trip: got %q, want %q", got, wantBack(string(data)))
		}
		// Raw input, not stuffed: any outcome but a panic or growth.
		c = New(&scriptConn{r: bytes.NewReader(append([]byte("+OK\r\n+OK\r\n"), data...))}, nil)
		c.Retr(context.Background(), 1, func(r io.Reader) error {
			b, _ := io.ReadAll(r)
			if len(b) > len(data) {
				t.Fatalf("reader returned %d bytes from %d", len(b), len(data))
			}
			return nil
		})
	})
}
