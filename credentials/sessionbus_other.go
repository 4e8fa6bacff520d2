//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package credentials

// keyringPresent: macOS's Keychain and Windows' Credential Manager are
// always there.
func keyringPresent() error { return nil }
