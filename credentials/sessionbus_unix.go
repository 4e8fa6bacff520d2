//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package credentials

import (
	"errors"

	"popvault/internal/sessionbus"
)

// keyringPresent reports whether a Secret Service, which go-keyring uses
// here, can be reached: nil when it can, why not otherwise. It never
// starts a bus to find out (see sessionbus), and it sets the bus's
// address for go-keyring to use.
func keyringPresent() error {
	ok, err := sessionbus.Provides("org.freedesktop.secrets")
	switch {
	case err != nil:
		return err
	case !ok:
		return errors.New("the D-Bus session bus has no Secret Service (no gnome-keyring or KWallet runs on it)")
	}
	return nil
}
