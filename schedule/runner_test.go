package schedule

import (
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// reply is what a recorded command answers.
type reply struct {
	stdout, stderr string
	fail           bool // exit 1
	notInstalled   bool // the program is not there
}

// recorder records each command instead of running it, and answers from
// answer (by the command line, program name without its folder).
type recorder struct {
	t      *testing.T
	calls  []string
	stdins map[int][]byte
	answer func(line string, stdin []byte) reply
}

func (r *recorder) Run(cmd *exec.Cmd) error {
	args := append([]string{filepath.Base(cmd.Args[0])}, cmd.Args[1:]...)
	line := strings.Join(args, " ")
	var stdin []byte
	if cmd.Stdin != nil {
		stdin, _ = io.ReadAll(cmd.Stdin)
		if r.stdins == nil {
			r.stdins = map[int][]byte{}
		}
		r.stdins[len(r.calls)] = stdin
	}
	r.calls = append(r.calls, line)
	a := reply{}
	if r.answer != nil {
		a = r.answer(line, stdin)
	}
	if a.notInstalled {
		return &exec.Error{Name: cmd.Args[0], Err: exec.ErrNotFound}
	}
	io.WriteString(cmd.Stdout, a.stdout)
	io.WriteString(cmd.Stderr, a.stderr)
	if a.fail {
		return errors.New("exit status 1")
	}
	return nil
}

func sameCalls(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("commands run:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}
