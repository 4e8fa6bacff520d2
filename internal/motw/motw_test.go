package motw

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// memFile is a file written in memory, for writeZone's test.
type memFile struct {
	bytes.Buffer
	closed bool
}

func (f *memFile) Close() error { f.closed = true; return nil }

// TestZoneIdentifier: Windows' mark is a stream named after the file and
// ":Zone.Identifier", holding the Internet zone, written whole and
// closed. (Wine, which runs the Windows tests here, has no alternate data
// streams: it makes a file of that name beside the other. This checks the
// name and the bytes on any system; TestMarkedOnThisSystem checks the
// result wherever it runs.)
func TestZoneIdentifier(t *testing.T) {
	files := map[string]*memFile{}
	err := writeZone(`C:\Users\ann\Downloads\invoice.pdf`, func(name string) (io.WriteCloser, error) {
		f := &memFile{}
		files[name] = f
		return f, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f := files[`C:\Users\ann\Downloads\invoice.pdf:Zone.Identifier`]
	if len(files) != 1 || f == nil {
		t.Fatalf("wrote %v", files)
	}
	if got := f.String(); got != "[ZoneTransfer]\r\nZoneId=3\r\n" || !f.closed {
		t.Errorf("the stream holds %q (closed: %v)", got, f.closed)
	}

	refused := errors.New("access denied")
	err = writeZone("x", func(string) (io.WriteCloser, error) { return nil, refused })
	if !errors.Is(err, refused) {
		t.Errorf("a failed create: %v", err)
	}
}

// TestMarkedOnThisSystem marks a file and looks for the mark as this
// system keeps it: on Windows (and under Wine) the Zone.Identifier
// stream; elsewhere but macOS, nothing at all beside the file.
func TestMarkedOnThisSystem(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "invoice.pdf")
	if err := os.WriteFile(path, []byte("%PDF-1.7"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Mark(path); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "%PDF-1.7" {
		t.Errorf("the file itself: %q %v", b, err)
	}
	stream, err := os.ReadFile(path + ":Zone.Identifier")
	switch runtime.GOOS {
	case "windows":
		if err != nil || string(stream) != "[ZoneTransfer]\r\nZoneId=3\r\n" {
			t.Errorf("the Zone.Identifier stream: %q %v", stream, err)
		}
	case "darwin":
		// The attribute is read back by the darwin test.
	default:
		if entries, _ := os.ReadDir(dir); len(entries) != 1 || !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Mark wrote something on %s: %v", runtime.GOOS, entries)
		}
	}
}
