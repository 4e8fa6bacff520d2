//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package sessionbus

import "errors"

// ErrNone: this system has no D-Bus session bus (macOS, Windows).
var ErrNone = errors.New("no D-Bus session bus on this system")

// Address fails: there is no session bus here.
func Address() (string, error) { return "", ErrNone }

// Provides fails: there is no session bus here.
func Provides(string) (bool, error) { return false, ErrNone }

// Pin does nothing: there is no session bus to start here.
func Pin() {}

// Owned is false: there is no session bus here.
func Owned(string) bool { return false }
