package schedule

import (
	"slices"
	"strings"
	"testing"
)

// Words that quoting must carry through whole.
var oddWords = []string{"", "plain", "two words", "it's", `say "hi"`, `back\slash`, `trailing\`, `\\server\share\`,
	"100%", "$HOME", "`date`", "a;b|c&d", "tab\there", "ümlaut ✓", `"`, `\"`, `C:\Program Files\`}

func TestQuotingRoundTrips(t *testing.T) {
	quoters := map[string]struct {
		quote func(string) string
		split func(string) ([]string, error)
	}{
		"sh":                  {shQuote, shSplit},
		"systemd ExecStart":   {systemdQuote, func(s string) ([]string, error) { return systemdSplit(s, true) }},
		"systemd Environment": {systemdEnvQuote, func(s string) ([]string, error) { return systemdSplit(s, false) }},
		"Windows":             {windowsArg, func(s string) ([]string, error) { return windowsSplit(s), nil }},
	}
	for name, q := range quoters {
		t.Run(name, func(t *testing.T) {
			var line []string
			for _, w := range oddWords {
				line = append(line, q.quote(w))
			}
			got, err := q.split(strings.Join(line, " "))
			if err != nil || !slices.Equal(got, oddWords) {
				t.Errorf("%s\nsplits into %q (%v)", strings.Join(line, " "), got, err)
			}
		})
	}
}

func FuzzShQuote(f *testing.F) {
	for _, w := range oddWords {
		f.Add(w, "x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		got, err := shSplit(shQuote(a) + " " + shQuote(b))
		if err != nil || !slices.Equal(got, []string{a, b}) {
			t.Errorf("%q %q → %q (%v)", a, b, got, err)
		}
	})
}

func FuzzWindowsArg(f *testing.F) {
	for _, w := range oddWords {
		f.Add(w, "x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		if strings.ContainsRune(a+b, 0) {
			return
		}
		if got := windowsSplit(windowsArg(a) + " " + windowsArg(b)); !slices.Equal(got, []string{a, b}) {
			t.Errorf("%q %q → %q", a, b, got)
		}
	})
}

func FuzzSystemdQuote(f *testing.F) {
	for _, w := range oddWords {
		f.Add(w, "x")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		got, err := systemdSplit(systemdQuote(a)+" "+systemdQuote(b), true)
		if err != nil || !slices.Equal(got, []string{a, b}) {
			t.Errorf("%q %q → %q (%v)", a, b, got, err)
		}
	})
}
