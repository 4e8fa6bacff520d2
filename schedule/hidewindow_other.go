//go:build !windows

package schedule

import "os/exec"

// hideWindow does nothing: only Windows opens a window for a console
// program.
func hideWindow(*exec.Cmd) {}
