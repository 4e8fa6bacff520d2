package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDiskFull fetches in delete mode into an archive on a 30 MB tmpfs
// while the mailbox holds more: the first commits fit, a later one does
// not. The fetch must stop with a clear error, the server must still hold
// every message the archive does not, and once the archive moves to a
// disk with room, a fetch completes with every message stored once and
// verify clean. The tmpfs is mounted in a namespace of the test's own,
// so an ordinary user runs it too (see inNamespace).
func TestDiskFull(t *testing.T) {
	d, msgs := startDovecot(t, 600) // about 48 MB of mail
	v := newVault(t)
	v.addAccount(d, "full", "tls", false)
	small, roomy := t.TempDir(), t.TempDir()
	inNamespace(t, "TestDiskFullInNamespace", "POPVAULT_ARCHIVE_IN="+v.path, "POPVAULT_SMALL_DISK="+small,
		"POPVAULT_COPY_TO="+roomy, "POPVAULT_CONFIG="+v.config)
	b, err := os.ReadFile(filepath.Join(roomy, "fetch.stderr"))
	if err != nil {
		t.Fatal(err)
	}
	errs := string(b)
	if !strings.Contains(errs, "popvault: full: the disk is full.") || !strings.Contains(errs, "Free some space on the disk that holds the archive") ||
		!strings.Contains(errs, "archive: store: write") || !strings.Contains(errs, "no space left on device") {
		t.Fatalf("unclear error: %q", errs)
	}
	v.path = filepath.Join(roomy, "archive.db") // on a disk with room now
	left, _ := d.Count()
	stored := len(v.listJSON())
	if left+stored < len(msgs) || stored == 0 {
		t.Fatalf("%d on the server + %d archived, of %d", left, stored, len(msgs))
	}
	t.Logf("disk full after %d of %d messages; %d still on the server", stored, len(msgs), left)
	v.ok("", "verify")
	v.ok("", "fetch")
	if left, _ := d.Count(); left != 0 {
		t.Fatalf("%d left on the server", left)
	}
	v.checkExact(msgs)
	v.ok("", "verify")
}

// TestDiskFullInNamespace is TestDiskFull's inner half: it mounts the
// small disk, moves the archive onto it, fetches, and copies the archive
// out before the namespace, and its mount, go away.
func TestDiskFullInNamespace(t *testing.T) {
	insideNamespace(t)
	small, roomy := os.Getenv("POPVAULT_SMALL_DISK"), os.Getenv("POPVAULT_COPY_TO")
	mountTmpfs(t, small, "30m")
	v := &vault{t: t, path: filepath.Join(small, "archive.db"), config: os.Getenv("POPVAULT_CONFIG")}
	if err := copyFile(os.Getenv("POPVAULT_ARCHIVE_IN"), v.path); err != nil {
		t.Fatal(err)
	}
	_, errs, code := v.run("", "fetch")
	if code == 0 {
		t.Fatal("a fetch into a full disk succeeded")
	}
	if err := os.WriteFile(filepath.Join(roomy, "fetch.stderr"), []byte(errs), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := copyFile(v.path, filepath.Join(roomy, "archive.db")); err != nil {
		t.Fatal(err)
	}
}
