package archive

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestEMLArrivalKept: an .eml export read back keeps each message's
// arrival time, through the files' modification times.
func TestEMLArrivalKept(t *testing.T) {
	src := openTemp(t)
	arrived := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	if _, err := src.Store([]Incoming{{Account: "home", Raw: tricky[0], Arrived: arrived}}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "eml")
	if _, err := src.Export(FormatEML, out, ""); err != nil {
		t.Fatal(err)
	}
	dst := openTemp(t)
	if _, err := dst.Import(FormatEML, out, ""); err != nil {
		t.Fatal(err)
	}
	ids, _ := dst.ids("")
	s, err := dst.Summary(ids[0])
	if err != nil || !s.Arrived.Equal(arrived) {
		t.Fatalf("arrived %v, want %v (%v)", s.Arrived, arrived, err)
	}
}

func TestImportEML(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	one := write("saved/one.eml", tricky[0])
	write("saved/deeper/two.EML", tricky[2])
	write("saved/notes.txt", []byte("not mail, and not named .eml"))
	noName := write("mail-without-ending", tricky[2])
	notMail := write("picture.eml", []byte("\x89PNG\r\n\x1a\n"))
	os.Mkdir(filepath.Join(dir, "empty"), 0o700)
	for _, c := range []struct {
		name    string
		path    string
		added   int
		wantErr error
	}{
		{"one file", one, 1, nil},
		{"a folder and its subfolders, .eml only", filepath.Join(dir, "saved"), 2, nil},
		{"a file named otherwise that begins as mail", noName, 1, nil},
		{"a named file that is not mail", notMail, 0, ErrNotMail},
		{"a folder without .eml files", filepath.Join(dir, "empty"), 0, ErrNotMail},
		{"a path that is not there", filepath.Join(dir, "missing.eml"), 0, os.ErrNotExist},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := openTemp(t)
			rep, err := a.Import(FormatEML, c.path, "")
			if !errors.Is(err, c.wantErr) || (c.wantErr != nil) != (err != nil) {
				t.Fatalf("error %v, want %v", err, c.wantErr)
			}
			if rep.Added != c.added {
				t.Fatalf("added %d, want %d", rep.Added, c.added)
			}
			if got := allRaw(t, a); c.added > 0 && !bytes.Contains([]byte(got[0]), []byte("Subject:")) {
				t.Fatalf("stored %q", got)
			}
		})
	}
}

func TestDetectFormat(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "maildir")
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(md, sub), 0o700)
	}
	files := map[string][]byte{
		"box.mbox":   []byte("From a@b Mon Jan  2 10:00:00 2023\nSubject: x\n\nhi\n"),
		"saved.eml":  []byte("anything: the ending says it"),
		"message":    tricky[2],
		"photo.jpg":  {0xff, 0xd8, 0xff, 0xe0},
		"notes.txt":  []byte("just some text\n"),
		"folder/a.x": []byte("x"),
	}
	for name, data := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700)
		os.WriteFile(filepath.Join(dir, name), data, 0o600)
	}
	for path, want := range map[string]string{
		"maildir": FormatMaildir, "folder": FormatEML, "box.mbox": FormatMbox,
		"saved.eml": FormatEML, "message": FormatEML, "photo.jpg": "", "notes.txt": "", "missing": "",
	} {
		got, err := DetectFormat(filepath.Join(dir, path))
		if got != want || (want == "") != (err != nil) {
			t.Errorf("%s: %q, %v; want %q", path, got, err, want)
		}
	}
}
