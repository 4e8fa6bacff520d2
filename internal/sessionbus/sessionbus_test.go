//go:build linux

package sessionbus

import (
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// The address is the variable's, else the runtime folder's bus socket;
// the one found is set in the variable for other libraries.
func TestAddress(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/somewhere")
	if addr, err := Address(); err != nil || addr != "unix:path=/somewhere" {
		t.Fatalf("from the variable: %q, %v", addr, err)
	}
	dir := t.TempDir()
	ln, err := net.Listen("unix", filepath.Join(dir, "bus"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", dir)
	addr, err := Address()
	if err != nil || addr != "unix:path="+filepath.Join(dir, "bus") || os.Getenv("DBUS_SESSION_BUS_ADDRESS") != addr {
		t.Fatalf("from the runtime folder: %q, %v", addr, err)
	}
	// A plain file named bus is no bus.
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "bus"), nil, 0o600)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", other)
	if _, err := os.Stat("/run/user/" + strconv.Itoa(os.Getuid()) + "/bus"); err == nil {
		return // this user is logged in: the system's runtime folder has a bus
	}
	if addr, err := Address(); err != ErrNone {
		t.Fatalf("with no bus anywhere: %q, %v", addr, err)
	}
	if Owned("org.kde.StatusNotifierWatcher") {
		t.Fatal("a name is owned on no bus")
	}
}
