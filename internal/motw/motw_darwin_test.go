package motw

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestQuarantine: on macOS the file carries com.apple.quarantine, with
// the flags of a download and popvault as the agent. (Not run here: no
// macOS machine; it compiles with GOOS=darwin.)
func TestQuarantine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "invoice.pdf")
	if err := os.WriteFile(path, []byte("%PDF-1.7"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Mark(path); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 256)
	n, err := unix.Getxattr(path, "com.apple.quarantine", buf)
	if err != nil {
		t.Fatal(err)
	}
	if v := string(buf[:n]); !strings.HasPrefix(v, "0081;") || !strings.HasSuffix(v, ";popvault;") {
		t.Errorf("com.apple.quarantine is %q", v)
	}
}
