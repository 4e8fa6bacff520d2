//go:build unix

package ui

import "syscall"

// setUmask sets the process's umask, for a test that looks at the modes
// files are made with, and returns what puts the old one back.
func setUmask(mask int) func() {
	old := syscall.Umask(mask)
	return func() { syscall.Umask(old) }
}
