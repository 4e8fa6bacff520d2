package release

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// root is the repository, where the Makefile is.
var root, _ = filepath.Abs(filepath.Join("..", ".."))

// build runs a make target of the release with DIST in a folder of the
// test's own, and returns that folder.
func build(t *testing.T, target string) string {
	t.Helper()
	skipShort(t)
	dist := t.TempDir()
	cmd := exec.Command("make", "-C", root, target, "DIST="+dist)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", target, err, out)
	}
	return dist
}

// skipShort skips under -short (make check): these tests build the
// release (GLFW for Linux and Windows) and run it under Wine and apt-get.
func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the release with make and runs it under Wine and apt-get: make check (-short) skips it, make test runs it")
	}
}

// version is the version make gives a release built now.
func version(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("sh", filepath.Join(root, "packaging", "version")).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// run runs cmd and returns its output and exit status; a program that
// could not start fails the test.
func run(t *testing.T, cmd *exec.Cmd, stdin string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errs bytes.Buffer
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &out, &errs
	err := cmd.Run()
	if exit, ok := err.(*exec.ExitError); ok {
		return out.String(), errs.String(), exit.ExitCode()
	}
	if err != nil {
		t.Fatalf("%v: %v", cmd.Args, err)
	}
	return out.String(), errs.String(), 0
}

// keepScreenshot copies a screenshot to $POPVAULT_SCREENSHOT_DIR, when
// set, for a person to look at.
func keepScreenshot(t *testing.T, shot, name string) {
	dir := os.Getenv("POPVAULT_SCREENSHOT_DIR")
	if dir == "" {
		return
	}
	b, err := os.ReadFile(shot)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name), b, 0o644)
	}
	if err != nil {
		t.Errorf("keeping the screenshot: %v", err)
	}
}
