package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestDiskFull fetches in delete mode into an archive on a 30 MB tmpfs
// while the mailbox holds more: the first commit fits, the second does not; the fetch must stop with a clear
// error, the server must still hold every message the archive does not,
// and once the archive moves to a disk with room, a fetch completes with
// every message stored once and verify clean.
func TestDiskFull(t *testing.T) {
	if os.Getuid() != 0 {
		t.Fatal("mounting a small tmpfs needs root; CI and make test run as root")
	}
	d, msgs := startDovecot(t, 600) // about 48 MB: two commits of 32 MiB
	small := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=30m", "tmpfs", small).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v: %s", err, out)
	}
	defer syscall.Unmount(small, syscall.MNT_DETACH)
	v := &vault{t: t, path: filepath.Join(small, "archive.db")}
	v.addAccount(d, "full", "tls", false)
	_, errs, code := v.run("", "fetch")
	if code == 0 {
		t.Fatal("a fetch into a full disk succeeded")
	}
	if !strings.Contains(lastLines(errs), "popvault: fetch: full: archive: store: write") || !strings.Contains(errs, "no space left on device") {
		t.Fatalf("unclear error: %q", lastLines(errs))
	}
	left, _ := d.Count()
	stored := len(v.listJSON())
	if left+stored < len(msgs) || stored == 0 {
		t.Fatalf("%d on the server + %d archived, of %d", left, stored, len(msgs))
	}
	t.Logf("disk full after %d of %d messages; %d still on the server", stored, len(msgs), left)

	// Move the archive (and the password file) to a disk with room.
	roomy := t.TempDir()
	for _, name := range []string{"archive.db", "secrets.json"} {
		b, err := os.ReadFile(filepath.Join(small, name))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(roomy, name), b, 0o600)
	}
	v.path = filepath.Join(roomy, "archive.db")
	v.ok("", "verify")
	v.ok("", "fetch")
	if left, _ := d.Count(); left != 0 {
		t.Fatalf("%d left on the server", left)
	}
	v.checkExact(msgs)
	v.ok("", "verify")
}
