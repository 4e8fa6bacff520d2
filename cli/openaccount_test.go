package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"popvault/notify"
)

// TestOpenAccount: a notification's click starts popvault --open-account
// with the account's name (and --archive), or on Windows its
// popvault-open: URI, which carries the archive; the window opens on
// that account of that archive. A URI whose archive is not there, or not
// a local full path, opens nothing and says why.
func TestOpenAccount(t *testing.T) {
	other := filepath.Join(t.TempDir(), `Mail & "old" ä`, "other.db")
	os.MkdirAll(filepath.Dir(other), 0o700)
	if err := os.WriteFile(other, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	gone := filepath.Join(t.TempDir(), "gone.db")
	cases := map[string]struct {
		args   []string
		opened string // path|account; "" opens nothing
	}{
		"a name, with --archive":        {args: []string{"--archive", "/tmp/a.db", "--open-account", "old isp"}, opened: "/tmp/a.db|old isp"},
		"a URI with no archive":         {args: []string{"--archive", "/tmp/a.db", "--open-account", notify.OpenURI("old isp", "")}, opened: "/tmp/a.db|old isp"},
		"a URI with the job's archive":  {args: []string{"--open-account", notify.OpenURI("old isp", other)}, opened: other + "|old isp"},
		"--archive given too wins":      {args: []string{"--archive", "/tmp/a.db", "--open-account", notify.OpenURI("old isp", other)}, opened: "/tmp/a.db|old isp"},
		"a URI whose archive is gone":   {args: []string{"--open-account", notify.OpenURI("old isp", gone)}},
		"a URI with a relative archive": {args: []string{"--open-account", notify.OpenURI("old isp", "a.db")}},
		"a URI with a network archive":  {args: []string{"--open-account", notify.OpenURI("old isp", "//evil.example/share/a.db")}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var opened string
			code := Run(context.Background(), c.args, Env{
				Getenv:   func(string) string { return "" },
				WindowOn: func(path, account string) error { opened = path + "|" + account; return nil }})
			if opened != c.opened || (code == 0) != (c.opened != "") {
				t.Errorf("exit %d, opened %q, want %q", code, opened, c.opened)
			}
		})
	}
}
