package cli

import (
	"os"
	"strings"
	"testing"
)

// --help and -h print usage and succeed, for popvault and each command;
// --version says which; the usage names every flag account add takes.
func TestHelpAndVersion(t *testing.T) {
	v := newVault(t)
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"fetch", "--help"}, {"account", "add", "-h"}, {"account", "edit", "--help"}, {"list", "--help"}} {
		out, errs, code := v.run("", args...)
		if code != 0 || errs != "" || !strings.Contains(out, "Usage") {
			t.Errorf("%v: exit %d, stderr %q, stdout %.100q", args, code, errs, out)
		}
	}
	usage := v.ok("", "help")
	for _, flag := range []string{"--debug", "--email", "--check-every", "--token-command", "--version", "account edit", "--quiet"} {
		if !strings.Contains(usage, flag) {
			t.Errorf("the usage does not mention %s", flag)
		}
	}
	out := v.ok("", "--version")
	if !strings.HasPrefix(out, "popvault "+baseVersion) {
		t.Fatalf("--version: %q", out)
	}
	toml, err := os.ReadFile("../FyneApp.toml")
	if err != nil || !strings.Contains(string(toml), `Version = "`+baseVersion+`"`) {
		t.Fatalf("FyneApp.toml does not say version %s: %v", baseVersion, err)
	}
	if _, errs, code := v.run("", "fetch", "--nonsense"); code == 0 || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Fatalf("a bad flag: exit %d, %q", code, errs)
	}
}
