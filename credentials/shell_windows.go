package credentials

import (
	"context"
	"os/exec"
	"syscall"
)

// shellCommand runs a token command the way the user would type it: with
// cmd.exe on Windows. cmd parses its command line by rules of its own,
// not by the quoting exec.Command applies to arguments, so the line is
// given whole: /S /C "COMMAND" runs COMMAND exactly as written, quotes
// included.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "cmd")
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: `cmd /S /C "` + command + `"`}
	return cmd
}
