package archive

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"time"
)

// mboxrd (the variant mutt, Python's mailbox and most readers accept):
// messages begin with a "From " line; a body line matching ^>*From gains
// one more ">" on export and loses one on import, so bytes round-trip.

// writeMbox appends one message to w in mboxrd form.
func writeMbox(w *bufio.Writer, from string, date time.Time, raw []byte) error {
	if from == "" {
		from = "MAILER-DAEMON"
	}
	fmt.Fprintf(w, "From %s %s\n", from, date.UTC().Format(time.ANSIC))
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line = raw[:i+1]
		}
		if isFromLine(line) {
			w.WriteByte('>')
		}
		w.Write(line)
		raw = raw[len(line):]
	}
	_, err := w.WriteString("\n")
	return err
}

// isFromLine reports whether line matches ^>*From .
func isFromLine(line []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From "))
}

// readMbox calls f with each message of an mboxrd (or mboxo) file,
// un-quoted. The blank line before each "From " separator belongs to the
// format, not the message.
func readMbox(r io.Reader, f func(raw []byte) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var msg bytes.Buffer
	started := false
	flush := func() error {
		if !started {
			return nil
		}
		b := msg.Bytes()
		switch {
		case bytes.HasSuffix(b, []byte("\r\n\n")), bytes.HasSuffix(b, []byte("\n\n")):
			b = b[:len(b)-1]
		}
		err := f(append([]byte(nil), b...))
		msg.Reset()
		return err
	}
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			if !started {
				return fmt.Errorf("archive: not an mbox file: it does not start with \"From \"")
			}
			msg.Write(line) // a long line: never a separator
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				msg.Write(line)
			}
			line = nil
		}
		if len(line) > 0 {
			switch {
			case bytes.HasPrefix(line, []byte("From ")):
				if err := flush(); err != nil {
					return err
				}
				started = true
			case !started:
				return fmt.Errorf("archive: not an mbox file: it does not start with \"From \"")
			case isFromLine(line):
				msg.Write(line[1:])
			default:
				msg.Write(line)
			}
		}
		if err == io.EOF {
			return flush()
		}
		if err != nil {
			return fmt.Errorf("archive: mbox: %w", err)
		}
	}
}
