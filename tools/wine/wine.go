// Package wine runs popvault's Windows build under Wine on Linux, for
// tests: a Wine prefix of the caller's own, set up without the dialogs a
// desktop user would see, and with the one DLL that Debian 12's Wine 8.0
// lacks and Go programs need (shim/bcryptprimitives.c says why).
package wine

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:embed shim/bcryptprimitives.c
var bcryptPrimitives []byte

// Prefix is a Wine prefix: a C: drive, registry and wineserver of its own.
type Prefix struct {
	Dir string
	env []string
}

// Open sets up the prefix in dir (a new one, or one set up before), ready
// to run Windows programs from the command line.
func Open(dir string) (*Prefix, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	p := &Prefix{Dir: dir, env: append(os.Environ(),
		"WINEPREFIX="+dir,
		"WINEARCH=win64",
		"WINEDEBUG=-all", // Wine's fixme lines would bury the program's own output
		// No Mono or Gecko: Wine would offer to download them in a dialog.
		"WINEDLLOVERRIDES=mscoree,mshtml=",
	)}
	if _, err := os.Stat(filepath.Join(dir, "system.reg")); err != nil {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		cmd := exec.Command("wineboot", "--init")
		cmd.Env = p.env
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("wine: wineboot: %w: %s", err, out)
		}
	}
	dll := filepath.Join(dir, "drive_c", "windows", "system32", "bcryptprimitives.dll")
	if _, err := os.Stat(dll); errors.Is(err, os.ErrNotExist) {
		if err := buildShim(dll); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// buildShim compiles bcryptprimitives.dll with mingw-w64 into the prefix.
func buildShim(dll string) error {
	src := filepath.Join(filepath.Dir(dll), "popvault-bcryptprimitives.c")
	if err := os.WriteFile(src, bcryptPrimitives, 0o644); err != nil {
		return err
	}
	defer os.Remove(src)
	out, err := exec.Command("x86_64-w64-mingw32-gcc", "-shared", "-O2", "-o", dll, src, "-ladvapi32").CombinedOutput()
	if err != nil {
		return fmt.Errorf("wine: building bcryptprimitives.dll: %w: %s", err, out)
	}
	return nil
}

// Command runs a Windows program (its Linux path) with args in the prefix.
func (p *Prefix) Command(program string, args ...string) *exec.Cmd {
	cmd := exec.Command("wine", append([]string{program}, args...)...)
	cmd.Env = p.env
	return cmd
}

// Env is the environment Command's programs get, to add to.
func (p *Prefix) Env() []string { return p.env }

// Close stops the prefix's wineserver and whatever still runs in it.
func (p *Prefix) Close() error {
	cmd := exec.Command("wineserver", "--kill")
	cmd.Env = p.env
	return cmd.Run()
}

// Path is a Linux path as a program under Wine names it: on drive Z:,
// which Wine maps to /, with backslashes.
func Path(linux string) string {
	abs, err := filepath.Abs(linux)
	if err != nil {
		abs = linux
	}
	return `Z:` + strings.ReplaceAll(abs, "/", `\`)
}
