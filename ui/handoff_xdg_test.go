//go:build linux || freebsd || openbsd || netbsd

package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSystemOpenHearsXdgOpen: popvault runs xdg-open itself and hears
// its failure (exit status 3: no program for the address), with what it
// said, where Fyne's OpenURL starts it and forgets it.
func TestSystemOpenHearsXdgOpen(t *testing.T) {
	for name, tc := range map[string]struct {
		script string
		fails  string
	}{
		"no program": {"echo 'xdg-open: no method available for opening' >&2; exit 3", "no method available"},
		"opened":     {"exit 0", ""},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "xdg-open"), []byte("#!/bin/sh\n"+tc.script+"\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			t.Setenv("PATH", dir)
			err := systemOpen(nil, "mailto:ann@example.org?subject=Re%3A%20x")
			if tc.fails == "" && err != nil || tc.fails != "" && (err == nil || !strings.Contains(err.Error(), tc.fails)) {
				t.Errorf("systemOpen: %v, want %q", err, tc.fails)
			}
		})
	}
}
