package cli

import (
	"strconv"
	"strings"
	"testing"

	"popvault/fetch/pop3test"
	"popvault/fetch/pop3test/dovecot"
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

// TestIMAPRefusalSaidAsAFetch: restore and account deliver, given a
// wrong password for a real IMAP server (Dovecot), say it as a fetch's
// refusal is said: what happened, the fix, the server's own words, each
// on its own line; and exit 1.
func TestIMAPRefusalSaidAsAFetch(t *testing.T) {
	d := startIMAP(t, dovecot.Options{}, [][]byte{[]byte("Subject: one\r\n\r\nhi\r\n")})
	v := newVault(t)
	v.addAccount(d, "home", "tls", true)
	v.ok("", "fetch", "--quiet")
	tests := map[string]struct {
		args []string
		what string
	}{
		"restore": {restoreArgs(d, "INBOX"), "restore into INBOX on 127.0.0.1"},
		"account deliver": {[]string{"account", "deliver", "--name", "home", "--host", "127.0.0.1", "--port", strconv.Itoa(d.IMAPTLSPort),
			"--ca-file", d.CAFile, "--user", d.User2, "--password-stdin"}, "delivering into INBOX on 127.0.0.1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, errs, code := v.run("not-the-password\n", tc.args...)
			want := "popvault: " + tc.what + ": the server refused the password.\n" +
				"  To fix it: Check the password (Gmail, Yahoo and GMX need an app password), and run it again.\n" +
				"  The server said: [AUTHENTICATIONFAILED] "
			if code != 1 || !strings.HasPrefix(errs, want) || strings.Count(errs, "\n") != 3 || strings.Contains(errs, "not-the-password") {
				t.Errorf("exit %d, said\n%s\nwant it to begin\n%s", code, errs, want)
			}
		})
	}
}
