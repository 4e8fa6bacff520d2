package cli

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestMain lets this test binary stand in for popvault when a command
// runs popvault's own program (schedule on runs `EXE schedule
// check-secrets` in a job's environment, which carries no variable that
// could say so): started with arguments that are not the test flags, it
// runs them as popvault would.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && !strings.HasPrefix(os.Args[1], "-test.") {
		os.Exit(Run(context.Background(), os.Args[1:], Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}))
	}
	os.Exit(m.Run())
}
