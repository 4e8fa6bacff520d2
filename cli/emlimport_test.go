package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// rawAll is every message's stored bytes, by Message-ID order of the
// listing, as show --raw gives them.
func (v *vault) rawAll() map[string]bool {
	v.t.Helper()
	out := map[string]bool{}
	for _, l := range v.listJSON() {
		out[v.ok("", "show", "--raw", strconv.FormatUint(l.ID, 10))] = true
	}
	return out
}

// TestImportEMLRoundTrip: what export --format eml writes, import reads
// back byte for byte, each message once, as a folder and as files named
// one by one; and the format is told from the paths.
func TestImportEMLRoundTrip(t *testing.T) {
	v := newVault(t)
	storeCorpus(t, v, 30)
	want := v.rawAll()
	out := filepath.Join(t.TempDir(), "eml")
	v.ok("", "export", "--format", "eml", "--out", out)

	w := newVault(t)
	if got := w.ok("", "import", "--no-index", out); !strings.Contains(got, "30 added") {
		t.Fatalf("import of the folder: %s", got)
	}
	got := w.rawAll()
	if len(got) != len(want) {
		t.Fatalf("%d messages back, want %d", len(got), len(want))
	}
	for raw := range want {
		if !got[raw] {
			t.Fatalf("a message came back changed or not at all: %.80q", raw)
		}
	}
	files, _ := filepath.Glob(filepath.Join(out, "*.eml"))
	x := newVault(t)
	args := append([]string{"import", "--no-index", "--format", "eml"}, files[:5]...)
	if got := x.ok("", args...); !strings.Contains(got, "5 added") {
		t.Fatalf("import of five files: %s", got)
	}
	if got := x.ok("", append(args, files[5])...); !strings.Contains(got, "1 added, 5 already") {
		t.Fatalf("import of six, five again: %s", got)
	}
}

// TestFailedImportLeavesNoArchive: an import that fails where there was
// no archive leaves none behind (nor its folder), whether the PATH is
// refused before the archive opens or the import itself fails; an
// archive that was there stays.
func TestFailedImportLeavesNoArchive(t *testing.T) {
	dir := t.TempDir()
	picture := filepath.Join(dir, "holiday.eml")
	os.WriteFile(picture, []byte("\x89PNG\r\n\x1a\n"), 0o600)
	os.Mkdir(filepath.Join(dir, "nothing"), 0o700)
	for _, args := range [][]string{
		{"import", filepath.Join(dir, "missing.mbox")},
		{"import", "--format", "mbox", filepath.Join(dir, "missing.mbox")},
		{"import", picture},
		{"import", filepath.Join(dir, "nothing")},
		{"import", "--format", "maildir", filepath.Join(dir, "nothing")},
	} {
		v := newVault(t)
		v.path = filepath.Join(t.TempDir(), "new-folder", "archive.db")
		_, errs, code := v.run("", args...)
		if code == 0 || !strings.HasPrefix(errs, "popvault: ") {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
		if _, err := os.Stat(filepath.Dir(v.path)); !os.IsNotExist(err) {
			entries, _ := os.ReadDir(filepath.Dir(v.path))
			t.Errorf("%v left %v behind (%v)", args, entries, err)
		}
	}
	v := newVault(t)
	storeCorpus(t, v, 2)
	if _, _, code := v.run("", "import", picture); code == 0 {
		t.Fatal("a picture imported")
	}
	if n := len(v.listJSON()); n != 2 {
		t.Fatalf("the archive that was there holds %d of 2", n)
	}
}
