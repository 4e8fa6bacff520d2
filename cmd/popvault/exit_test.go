package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The process is the command line's doorway: its exit status is the one
// cli.Run returns, its error is the one line cli writes, and cli reads
// the process's arguments, streams and environment. Package cli tests
// each command in process; this checks what main adds.
func TestExitStatus(t *testing.T) {
	v := newVault(t)
	tests := map[string]struct {
		args       []string
		env        []string
		code       int
		stdout     string // its start
		stderr     string // all of it
		archiveNew bool   // the archive is made at $POPVAULT_ARCHIVE
	}{
		"success":       {args: []string{"--version"}, stdout: "popvault "},
		"help":          {args: []string{"fetch", "--help"}, stdout: "Usage: popvault fetch [flags]"},
		"an error":      {args: []string{"frobnicate"}, code: 1, stderr: "popvault: unknown command \"frobnicate\" (see popvault help)\n"},
		"a bad flag":    {args: []string{"fetch", "--nonsense"}, code: 1, stderr: "popvault: flag provided but not defined: -nonsense\n"},
		"the archive's": {args: []string{"show", "1"}, code: 1, stderr: "popvault: archive: not found: message 1\n"},
		"POPVAULT_ARCHIVE": {args: []string{"verify"}, env: []string{"POPVAULT_ARCHIVE=" + v.path},
			stdout: "OK: 0 messages", archiveNew: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			os.Remove(v.path)
			w := *v
			// The default archive, were $POPVAULT_ARCHIVE not read, is
			// in a folder of the test's.
			w.t, w.env = t, append([]string{"XDG_DATA_HOME=" + t.TempDir()}, tt.env...)
			args := append([]string{"--archive", w.path}, tt.args...)
			if tt.archiveNew {
				args = tt.args // the archive named by the environment alone
			}
			out, errs, code := w.runBare("", args...)
			if code != tt.code || !strings.HasPrefix(out, tt.stdout) || errs != tt.stderr {
				t.Fatalf("popvault %s: exit %d, stdout %.80q, stderr %q; want exit %d, stdout %q..., stderr %q",
					strings.Join(args, " "), code, out, errs, tt.code, tt.stdout, tt.stderr)
			}
			if tt.archiveNew && !fileExists(v.path) {
				t.Fatalf("no archive at $POPVAULT_ARCHIVE (%s)", v.path)
			}
		})
	}
}

// runBare is run with args as they are, without --archive.
func (v *vault) runBare(stdin string, args ...string) (string, string, int) {
	v.t.Helper()
	c := v.cmd(stdin)
	c.Args = append([]string{binary}, args...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		v.t.Fatal(err)
	}
	return out.String(), errb.String(), c.ProcessState.ExitCode()
}
