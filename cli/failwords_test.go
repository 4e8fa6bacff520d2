package cli

import (
	"strings"
	"testing"

	"popvault/fetch/pop3test"
	"popvault/health/healthtest"
)

// TestFetchSaysFailuresAsTheWindow: a real server's refusal (each of the
// shared table's, which the window's tests say too), fetched by
// popvault fetch and fetch --quiet, is said in the window's sentence,
// with the command that mends it and the server's own words on lines of
// their own; status says the same failure with the same command; both
// exit 1, and nothing the server sent acts on the terminal.
func TestFetchSaysFailuresAsTheWindow(t *testing.T) {
	for _, c := range healthtest.Cases() {
		if c.Refusal == "" {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			s := pop3test.NewTLSServer(pop3test.Config{Refusal: c.Refusal})
			defer s.Close()
			v := newVault(t)
			v.addOn(s, "Old ISP", "wrong")
			want := []string{"popvault: " + c.Sentence + ".\n", "  The server said: " + c.ServerSaid + "\n",
				"popvault: 1 of 1 accounts failed: Old ISP\n"}
			if c.Command != "" {
				want = append(want, "  To fix it: ")
			}
			for _, args := range [][]string{{"fetch"}, {"fetch", "--quiet"}} {
				_, errs, code := v.run("", args...)
				if code != 1 {
					t.Errorf("%v: exit %d, want 1", args, code)
				}
				for _, w := range want {
					if !strings.Contains(errs, w) {
						t.Errorf("%v says\n%s\nwithout %q", args, errs, w)
					}
				}
				if fix := lineWith(errs, "  To fix it: "); !strings.Contains(fix, c.Command) {
					t.Errorf("%v: the fix %q, want %q in it", args, fix, c.Command)
				}
				if strings.ContainsAny(errs, "\x1b\x07") || strings.Contains(errs, "wrong") {
					t.Errorf("%v: an escape code, or the password, in %q", args, errs)
				}
			}
			out, errs, code := v.run("", "status")
			if code != 1 || !strings.Contains(out, "Old ISP: failing for a moment: "+c.Words) || !strings.Contains(out, c.Command) {
				t.Errorf("status: exit %d, %q (%s); want %q and %q", code, out, errs, c.Words, c.Command)
			}
		})
	}
}

// lineWith is the first line of s that holds sub, or "".
func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
