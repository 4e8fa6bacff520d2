package archive

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Messages whose bytes stress mboxrd: From lines, quoted From lines, LF
// and CRLF endings.
var tricky = [][]byte{
	msg("from lines", "Mon, 2 Jan 2023 10:00:00 +0000", "From here on\r\n>From quoted\r\n>>From twice\r\nFrom\r\n"),
	[]byte("Subject: lf only\n\nFrom the LF world\n\n"),
	msg("plain", "Tue, 3 Jan 2023 10:00:00 +0000", "bye\r\n"),
}

func storeAll(t *testing.T, a *Archive, account string, raws [][]byte) {
	t.Helper()
	var batch []Incoming
	for _, r := range raws {
		batch = append(batch, Incoming{Account: account, Raw: r})
	}
	if _, err := a.Store(batch); err != nil {
		t.Fatal(err)
	}
}

func allRaw(t *testing.T, a *Archive) []string {
	t.Helper()
	ids, err := a.ids("")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, id := range ids {
		raw, err := a.Raw(id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(raw))
	}
	sort.Strings(out)
	return out
}

func TestExportImportRoundTrip(t *testing.T) {
	for _, format := range []string{FormatMbox, FormatMaildir, FormatEML} {
		t.Run(format, func(t *testing.T) {
			src := openTemp(t)
			storeAll(t, src, "home", tricky)
			out := filepath.Join(t.TempDir(), "export")
			if n, err := src.Export(format, out, ""); err != nil || n != len(tricky) {
				t.Fatalf("export: %d, %v", n, err)
			}
			dst := openTemp(t)
			rep, err := dst.Import(format, out, "moved")
			if err != nil || rep.Added != len(tricky) {
				t.Fatalf("import: %+v, %v", rep, err)
			}
			want, got := allRaw(t, src), allRaw(t, dst)
			if strings.Join(want, "\x00") != strings.Join(got, "\x00") {
				t.Fatalf("bytes changed:\n%q\n%q", want, got)
			}
			rep, err = dst.Import(format, out, "moved")
			if err != nil || rep.Added != 0 || rep.Duplicates != len(tricky) {
				t.Fatalf("second import: %+v, %v", rep, err)
			}
		})
	}
}

func TestExportMboxQuoting(t *testing.T) {
	a := openTemp(t)
	storeAll(t, a, "home", tricky[:1])
	out := filepath.Join(t.TempDir(), "x.mbox")
	if _, err := a.Export(FormatMbox, out, ""); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if !bytes.HasPrefix(b, []byte("From ada@example.org ")) ||
		!bytes.Contains(b, []byte("\n>From here on\r\n>>From quoted\r\n>>>From twice\r\nFrom\r\n\n")) {
		t.Fatalf("mbox:\n%s", b)
	}
}

func TestExportEMLAndAccountFilter(t *testing.T) {
	a := openTemp(t)
	storeAll(t, a, "home", tricky[:2])
	storeAll(t, a, "work", tricky[2:])
	out := filepath.Join(t.TempDir(), "eml")
	if n, err := a.Export(FormatEML, out, "work"); err != nil || n != 1 {
		t.Fatalf("export: %d, %v", n, err)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	if len(files) != 1 {
		t.Fatalf("files %v", files)
	}
	b, _ := os.ReadFile(files[0])
	if !bytes.Equal(b, tricky[2]) {
		t.Fatalf("eml differs: %q", b)
	}
}

func TestImportRejectsBadInput(t *testing.T) {
	a := openTemp(t)
	dir := t.TempDir()
	notMbox := filepath.Join(dir, "notes.txt")
	os.WriteFile(notMbox, []byte("just some text\nFrom nowhere\n"), 0o600)
	for _, c := range []struct{ format, path string }{
		{FormatMbox, notMbox},
		{FormatMbox, filepath.Join(dir, "missing")},
		{FormatMaildir, dir},
		{"pst", dir},
	} {
		if _, err := a.Import(c.format, c.path, ""); err == nil {
			t.Errorf("%s %s: no error", c.format, c.path)
		}
	}
	if c, _ := a.Count(); c[""].Total != 0 {
		t.Fatalf("bad input changed the archive: %v", c)
	}
	if _, err := a.Export("pst", filepath.Join(dir, "x"), ""); err == nil {
		t.Error("unknown export format accepted")
	}
}

func TestImportMaildirReadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.Mkdir(filepath.Join(dir, sub), 0o700)
	}
	os.WriteFile(filepath.Join(dir, "cur", "1.a.host:2,S"), tricky[0], 0o600)
	os.WriteFile(filepath.Join(dir, "new", "2.b.host"), tricky[2], 0o600)
	os.WriteFile(filepath.Join(dir, "tmp", "3.c.host"), []byte("half written"), 0o600)
	a := openTemp(t)
	rep, err := a.Import(FormatMaildir, dir, "")
	if err != nil || rep.Added != 2 {
		t.Fatalf("%+v, %v", rep, err)
	}
	c, _ := a.Count()
	if c["imported"].Total != 2 || c["imported"].Unread != 1 {
		t.Fatalf("counts %v", c)
	}
}

// Import holds no message over the size limit: each is left out, named,
// and the rest is imported.
func TestImportSizeLimit(t *testing.T) {
	big := msg("big", "Mon, 2 Jan 2023 10:00:00 +0000", strings.Repeat("0123456789\r\n", 2000))
	dir := t.TempDir()
	mbox := filepath.Join(dir, "in.mbox")
	var b bytes.Buffer
	for _, m := range [][]byte{tricky[2], big, tricky[0]} {
		b.WriteString("From x Mon Jan  2 10:00:00 2023\n")
		b.Write(m)
		b.WriteString("\n")
	}
	os.WriteFile(mbox, b.Bytes(), 0o600)
	md := filepath.Join(dir, "md")
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(md, sub), 0o700)
	}
	os.WriteFile(filepath.Join(md, "cur", "1.a.host:2,"), tricky[2], 0o600)
	os.WriteFile(filepath.Join(md, "cur", "2.b.host:2,"), big, 0o600)
	for _, src := range []struct{ format, path, names string }{{FormatMbox, mbox, "message 2"}, {FormatMaildir, md, "2.b.host"}} {
		a, err := Open(filepath.Join(t.TempDir(), "a.db"), &Options{MaxMessageSize: 10000})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		rep, err := a.Import(src.format, src.path, "")
		if !errors.Is(err, ErrTooBig) || !strings.Contains(err.Error(), src.names) || rep.Read != rep.Added+1 || len(rep.TooBig) != 1 {
			t.Fatalf("%s: %+v, %v", src.format, rep, err)
		}
		if strings.Count(err.Error(), "archive:") != 1 {
			t.Errorf("%s: the prefix said twice: %v", src.format, err)
		}
	}
}

// A Maildir's Seen flag is read whichever separator wrote it: ':' on
// Unix, ';' or '!' where Windows forbids ':' in file names.
func TestMaildirSeen(t *testing.T) {
	tests := map[string]bool{
		"1.a.host:2,S":        true,
		"1.a.host:2,FS":       true,
		"1.a.host:2,":         false,
		"1.a.host;2,S":        true,
		"1.a.host!2,RS":       true,
		"1.a.host!2,R":        false,
		"1.a.host":            false,
		"1.S.host":            false, // an S in the unique part is not a flag
		"1.a.h:2,S.x:2,T":     false, // the last info part counts
		"1.a.host,S=120:2,ST": true,
	}
	for name, want := range tests {
		if got := maildirSeen(name); got != want {
			t.Errorf("maildirSeen(%q) = %v, want %v", name, got, want)
		}
	}
}
