package archive

import (
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// trim advises only bbolt's own mapping of the archive. Another mapping of
// the same file (here a private one with a write in it) keeps its pages:
// advice found by file name would have thrown the write away.
func TestTrimLeavesOtherMappingsAlone(t *testing.T) {
	a := openTemp(t)
	if _, err := a.Store([]Incoming{{Account: "a", Raw: msg("trim", "Mon, 2 Jan 2023 10:00:00 +0000", "x\r\n")}}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(a.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	other, err := unix.Mmap(int(f.Fd()), 0, os.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(other)
	want := other[0] ^ 0xff
	other[0] = want
	a.trim()
	if other[0] != want {
		t.Fatal("trim gave advice to a mapping bbolt does not hold: its page was thrown away")
	}
	if raw, err := a.Raw(1); err != nil || len(raw) == 0 {
		t.Fatalf("after trim: %q, %v", raw, err)
	}
}
