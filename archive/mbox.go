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
// format, not the message. A message over max bytes is not held: big is
// called with its number (from 1) and the offset of its "From " line.
func readMbox(r io.Reader, max int64, f func(raw []byte) error, big func(n int, offset int64) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var msg bytes.Buffer
	started, over := false, false
	n := 0
	var offset, start int64
	flush := func() error {
		if !started {
			return nil
		}
		if over {
			msg.Reset()
			over = false
			return big(n, start)
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
	write := func(b []byte) {
		if over {
			return
		}
		if int64(msg.Len()+len(b)) > max+1 { // +1: the separator's blank line
			over = true
			msg = bytes.Buffer{} // let the memory go
			return
		}
		msg.Write(b)
	}
	for {
		line, err := br.ReadSlice('\n')
		lineStart := offset
		offset += int64(len(line))
		if err == bufio.ErrBufferFull {
			if !started {
				return fmt.Errorf("archive: not an mbox file: it does not start with \"From \"")
			}
			write(line) // a long line: never a separator
			for err == bufio.ErrBufferFull {
				line, err = br.ReadSlice('\n')
				offset += int64(len(line))
				write(line)
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
				n++
				start = lineStart
			case !started:
				return fmt.Errorf("archive: not an mbox file: it does not start with \"From \"")
			case isFromLine(line):
				write(line[1:])
			default:
				write(line)
			}
		}
		if err == io.EOF {
			return flush()
		}
		if err != nil {
			return wrapErr("mbox", err)
		}
	}
}
