//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package fetch

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/godbus/dbus/v5"
)

// Where go-keyring looks for passwords here: the Secret Service, on the
// session bus.
const secretService = "org.freedesktop.secrets"

// errNoSessionBus: nothing says where a session bus is, as under cron or
// a systemd timer while the user is not logged in.
var errNoSessionBus = errors.New("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and there is no bus at $XDG_RUNTIME_DIR/bus or /run/user/UID/bus (as under cron, or when you are not logged in)")

// keyringPresent reports whether a Secret Service can be reached, and
// never starts a bus to find out. godbus would: with no address it runs
// `dbus-launch --autolaunch`, whose private dbus-daemon activates a fresh
// gnome-keyring-daemon; both outlive popvault, and that keyring's locked
// collection never holds the password the desktop's keyring holds. So
// the address is found here first, set for go-keyring to use, and with
// none the keyring is absent.
func keyringPresent() error {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr == "" || addr == "autolaunch:" {
		addr = ""
		dirs := []string{os.Getenv("XDG_RUNTIME_DIR"), "/run/user/" + strconv.Itoa(os.Getuid())}
		for _, dir := range dirs {
			if dir == "" {
				continue
			}
			if fi, err := os.Stat(filepath.Join(dir, "bus")); err == nil && fi.Mode().Type() == os.ModeSocket {
				addr = "unix:path=" + dbus.EscapeBusAddressValue(filepath.Join(dir, "bus"))
				break
			}
		}
		if addr == "" {
			return errNoSessionBus
		}
		os.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return fmt.Errorf("the D-Bus session bus at %s does not answer: %w", addr, err)
	}
	defer conn.Close()
	var owned bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, secretService).Store(&owned); err != nil {
		return fmt.Errorf("the D-Bus session bus: %w", err)
	}
	if owned {
		return nil
	}
	var activatable []string
	if err := conn.BusObject().Call("org.freedesktop.DBus.ListActivatableNames", 0).Store(&activatable); err != nil {
		return fmt.Errorf("the D-Bus session bus: %w", err)
	}
	if !slices.Contains(activatable, secretService) {
		return errors.New("the D-Bus session bus has no Secret Service (no gnome-keyring or KWallet runs on it)")
	}
	return nil
}
