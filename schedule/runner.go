package schedule

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
)

// Runner runs one system command, made with exec.Command: it sets the
// command's output and waits for it, as cmd.Run does. Tests record the
// commands instead, or run them in a place of their own.
type Runner interface {
	Run(cmd *exec.Cmd) error
}

// ExecRunner runs the commands.
type ExecRunner struct{}

// Run runs cmd, with no console window on Windows.
func (ExecRunner) Run(cmd *exec.Cmd) error {
	hideWindow(cmd)
	return cmd.Run()
}

// output runs cmd through s's Runner with stdin, and returns its standard
// output; a failure carries its standard error, trimmed, in words.
func (s *Scheduler) output(cmd *exec.Cmd, stdin []byte) ([]byte, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	if err := s.run.Run(cmd); err != nil {
		return stdout.Bytes(), &commandError{args: cmd.Args, stderr: strings.TrimSpace(stderr.String()), err: err}
	}
	return stdout.Bytes(), nil
}

// commandError is a system command that failed, with what it said.
type commandError struct {
	args   []string
	stderr string
	err    error
}

func (e *commandError) Error() string {
	if e.stderr == "" {
		return fmt.Sprintf("%s: %v", strings.Join(e.args, " "), e.err)
	}
	return fmt.Sprintf("%s: %v: %s", strings.Join(e.args, " "), e.err, e.stderr)
}

func (e *commandError) Unwrap() error { return e.err }
