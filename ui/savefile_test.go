package ui

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/fetch/pop3test"
)

// markedAsFromInternet checks that a file written out of the archive
// carries the system's mark: on Windows the Zone.Identifier stream (under
// Wine, which has no streams, a file of that name beside it: the test
// runs there by make test-windows), on Linux nothing beside the file.
func markedAsFromInternet(t *testing.T, path string) {
	t.Helper()
	stream, err := os.ReadFile(path + ":Zone.Identifier")
	switch runtime.GOOS {
	case "windows":
		if err != nil || string(stream) != "[ZoneTransfer]\r\nZoneId=3\r\n" {
			t.Errorf("%s: the Zone.Identifier stream: %q %v", path, stream, err)
		}
	case "linux":
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: something written beside it on Linux: %v", path, err)
		}
	}
}

// writing is a write for writeNew and replaceFile that records the mode
// the file had when it was handed over, just created and still empty.
type writing struct {
	data    string
	err     error       // returned after writing data
	created fs.FileMode // the file's mode when write was called
}

func (w *writing) write(f io.WriteCloser) error {
	if fi, err := f.(*os.File).Stat(); err == nil {
		w.created = fi.Mode().Perm()
	}
	_, err := io.WriteString(f, w.data)
	return errors.Join(w.err, err, f.Close())
}

// TestWriteNew: a saved file is 0600 from its creation, whatever the
// umask, and never one that was at its name before: a file or a link
// there is refused, untouched. A failed write leaves nothing; a damaged
// attachment is kept as far as it decoded.
func TestWriteNew(t *testing.T) {
	defer setUmask(0)() // a file made 0666 would show as such
	failed := errors.New("disk full")
	type saveCase struct {
		before  func(t *testing.T, path string) // what is at path before
		w       writing
		err     error
		content string // at path after (through a link); "-" for none
	}
	cases := map[string]saveCase{
		"new":                  {nil, writing{data: "pdf"}, nil, "pdf"},
		"a file there":         {func(_ *testing.T, p string) { os.WriteFile(p, []byte("mine"), 0o644) }, writing{data: "pdf"}, fs.ErrExist, "mine"},
		"the write fails":      {nil, writing{data: "p", err: failed}, failed, "-"},
		"a damaged attachment": {nil, writing{data: "pd", err: archive.ErrDamaged}, archive.ErrDamaged, "pd"},
	}
	if runtime.GOOS != "windows" { // where making a link needs no privilege
		cases["a link to a file there"] = saveCase{linkTo("target"), writing{data: "pdf"}, fs.ErrExist, "theirs"}
		cases["a link to nothing there"] = saveCase{linkTo("missing"), writing{data: "pdf"}, fs.ErrExist, "-"}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "target"), []byte("theirs"), 0o644)
			path := filepath.Join(dir, "saved.pdf")
			if c.before != nil {
				c.before(t, path)
			}
			w := c.w
			err := writeNew(path, w.write)
			if !errors.Is(err, c.err) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			if b, rerr := os.ReadFile(path); c.content == "-" && !errors.Is(rerr, fs.ErrNotExist) || c.content != "-" && string(b) != c.content {
				t.Errorf("saved.pdf holds %q (%v), want %q", b, rerr, c.content)
			}
			if b, _ := os.ReadFile(filepath.Join(dir, "target")); string(b) != "theirs" {
				t.Errorf("the link's target was written: %q", b)
			}
			if _, err := os.Stat(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the link's missing target was made: %v", err)
			}
			if c.err != nil && !errors.Is(c.err, archive.ErrDamaged) {
				return
			}
			if modesKept && w.created != 0o600 {
				t.Errorf("the file was made %v, want 0600 from the start", w.created)
			}
			markedAsFromInternet(t, path)
		})
	}
}

// linkTo plants a symbolic link to name, in the same folder, at a path.
func linkTo(name string) func(*testing.T, string) {
	return func(t *testing.T, path string) {
		if err := os.Symlink(filepath.Join(filepath.Dir(path), name), path); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReplaceFile: a file replaced is written into a new file, 0600 from
// its creation, and renamed over the old one: the name holds the old
// file or the whole new one, never a wider one, and nothing is left over.
func TestReplaceFile(t *testing.T) {
	defer setUmask(0)()
	dir := t.TempDir()
	path := filepath.Join(dir, "saved.pdf")
	if err := os.WriteFile(path, []byte("an older file, longer"), 0o644); err != nil {
		t.Fatal(err)
	}
	w := writing{data: "pdf"}
	if err := replaceFile(path, w.write); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "pdf" {
		t.Errorf("saved.pdf holds %q (%v)", b, err)
	}
	if fi, err := os.Stat(path); err != nil || modesKept && (w.created != 0o600 || fi.Mode().Perm() != 0o600) {
		t.Errorf("made %v, now %v (%v); want 0600 from the start", w.created, fi.Mode(), err)
	}
	markedAsFromInternet(t, path)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "saved.pdf" && e.Name() != "saved.pdf:Zone.Identifier" {
			t.Errorf("left over: %s", e.Name())
		}
	}

	// A write that fails leaves the old file as it was.
	failed := errors.New("disk full")
	bad := writing{data: "p", err: failed}
	if err := replaceFile(path, bad.write); !errors.Is(err, failed) {
		t.Fatalf("a failed write: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "pdf" {
		t.Errorf("after a failed replace, saved.pdf holds %q", b)
	}
}

// TestSaveAs: Save asks for a name and a folder, saves a new private
// file marked as from the Internet, refuses a name that is a path, and
// replaces a file only when told to.
func TestSaveAs(t *testing.T) {
	defer setUmask(0)()
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	raw := "From: a@example.org\r\nSubject: a file\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee it.\r\n" +
		"--b\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\nContent-Disposition: attachment; filename=\"invoice.pdf\"\r\n\r\n%PDF-1.7\r\n--b--\r\n"
	st, err := u.arch.Store([]archive.Incoming{{Account: "a", UID: "1", Raw: []byte(raw)}})
	if err != nil {
		t.Fatal(err)
	}
	ui(func() { u.reader.open(st[0].ID, false) })
	eventually(t, "the message", func() bool { return u.reader.view != nil && len(u.reader.view.Attachments) == 1 })
	dir := t.TempDir()
	path := filepath.Join(dir, "invoice.pdf")
	save := func() *widget.Entry {
		ui(func() {
			u.reader.saveDir = dir
			u.reader.saveAttachment(u.reader.view.Attachments[0])
		})
		var name *widget.Entry
		eventually(t, "the save dialog", func() bool {
			walkShown(w.Canvas().Overlays().List(), func(o fyne.CanvasObject) {
				if e, ok := unwrap(o).(*widget.Entry); ok && e.Text == "invoice.pdf" {
					name = e
				}
			})
			return name != nil
		})
		return name
	}

	name := save()
	ui(func() { name.SetText("../invoice.pdf") })
	var disabled bool
	ui(func() { disabled = button(w, "Save").Disabled() })
	if !disabled {
		t.Error("Save offered for a name that is a path")
	}
	ui(func() { name.SetText("invoice.pdf") })
	tap(t, w, "Save")
	// Waited for on the status line, not by reading the file: on Windows
	// a reader holding it would make a replace fail, as it should.
	saved := func() bool { return u.status.Text == "Saved invoice.pdf" }
	eventually(t, "the file saved", saved)
	if b, err := os.ReadFile(path); err != nil || string(b) != "%PDF-1.7" {
		t.Fatalf("saved %q (%v)", b, err)
	}
	if fi, err := os.Stat(path); err != nil || modesKept && fi.Mode().Perm() != 0o600 {
		t.Errorf("saved as %v (%v)", fi.Mode(), err)
	}
	markedAsFromInternet(t, path)

	// Again: the file is there, and is replaced only when told to.
	os.WriteFile(path, []byte("changed since"), 0o644)
	save()
	tap(t, w, "Save")
	tap(t, w, "Cancel")
	if b, _ := os.ReadFile(path); string(b) != "changed since" {
		t.Fatalf("replaced without asking: %q", b)
	}
	save()
	ui(func() { u.setStatus("") })
	tap(t, w, "Save")
	tap(t, w, "Replace")
	eventually(t, "the file replaced", saved)
	if b, err := os.ReadFile(path); err != nil || string(b) != "%PDF-1.7" {
		t.Fatalf("replaced by %q (%v)", b, err)
	}
	if fi, err := os.Stat(path); err != nil || modesKept && fi.Mode().Perm() != 0o600 {
		t.Errorf("replaced as %v (%v)", fi.Mode(), err)
	}
	markedAsFromInternet(t, path)
}
