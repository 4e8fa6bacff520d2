//go:build !unix

package dovecot

import (
	"errors"
	"os/exec"
)

// Dovecot runs on Unix only; on other systems (Windows, where popvault's
// tests are compiled and run under Wine) its tests cannot start it, and
// Start fails when it looks for the binary.

func dieWithUs(*exec.Cmd) {}

func stopGroup(cmd *exec.Cmd, _ bool) { cmd.Process.Kill() }

func reload(*exec.Cmd) error { return errors.New("dovecot: reloading needs Unix signals") }
