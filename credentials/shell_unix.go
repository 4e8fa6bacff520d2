//go:build !windows

package credentials

import (
	"context"
	"os/exec"
)

// shellCommand runs a token command the way the user would type it: with
// sh on Unix.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	return exec.CommandContext(ctx, "sh", "-c", command)
}
