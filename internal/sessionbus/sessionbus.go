//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

// Package sessionbus finds the user's D-Bus session bus without ever
// starting one. godbus, asked for the session bus with no address, runs
// `dbus-launch --autolaunch`: a private dbus-daemon (and whatever it
// activates, such as a fresh gnome-keyring) that outlives the program, one
// per run of a cron job. Here the address is the variable, else the bus a
// logged-in user's systemd keeps at $XDG_RUNTIME_DIR/bus or
// /run/user/UID/bus, else there is none. Once found, the address is set
// in DBUS_SESSION_BUS_ADDRESS, so that libraries (go-keyring, Fyne's tray)
// use the same bus and never launch their own.
package sessionbus

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/godbus/dbus/v5"
)

// ErrNone: no session bus is known, as under cron or a systemd timer
// while the user is not logged in.
var ErrNone = errors.New("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is unset and there is no bus at $XDG_RUNTIME_DIR/bus or /run/user/UID/bus (as under cron, or when you are not logged in)")

// Address returns the session bus's address, and sets the variable to it.
func Address() (string, error) {
	addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS")
	if addr != "" && addr != "autolaunch:" {
		return addr, nil
	}
	for _, dir := range []string{os.Getenv("XDG_RUNTIME_DIR"), "/run/user/" + strconv.Itoa(os.Getuid())} {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, "bus")
		if fi, err := os.Stat(p); err == nil && fi.Mode().Type() == os.ModeSocket {
			addr = "unix:path=" + dbus.EscapeBusAddressValue(p)
			os.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
			return addr, nil
		}
	}
	return "", ErrNone
}

// Pin sets DBUS_SESSION_BUS_ADDRESS to the session bus Address finds, or,
// where there is none, to an address that fails at once: a library that
// asks for the session bus itself (Fyne asks it for the desktop's
// settings) then never autolaunches a dbus-daemon that outlives the
// program.
func Pin() {
	if _, err := Address(); err != nil {
		os.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	}
}

// Provides reports whether something on the session bus owns name, or
// the bus would start it on request. It fails with ErrNone, or the bus's
// own error, when there is no bus to ask.
func Provides(name string) (bool, error) {
	addr, err := Address()
	if err != nil {
		return false, err
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return false, fmt.Errorf("the D-Bus session bus at %s does not answer: %w", addr, err)
	}
	defer conn.Close()
	var owned bool
	if err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&owned); err != nil {
		return false, fmt.Errorf("the D-Bus session bus: %w", err)
	}
	if owned {
		return true, nil
	}
	var activatable []string
	if err := conn.BusObject().Call("org.freedesktop.DBus.ListActivatableNames", 0).Store(&activatable); err != nil {
		return false, fmt.Errorf("the D-Bus session bus: %w", err)
	}
	return slices.Contains(activatable, name), nil
}

// Owned reports whether something on the session bus owns name now (a
// name nobody starts on request, such as a tray's watcher). No bus means
// false.
func Owned(name string) bool {
	addr, err := Address()
	if err != nil {
		return false
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	var owned bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&owned)
	return err == nil && owned
}
