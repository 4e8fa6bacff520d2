package cli

import (
	"context"
	"testing"

	"popvault/notify"
)

// TestOpenAccount: a notification's click starts popvault --open-account
// with the account's name, or on Windows its popvault-open: URI; the
// window opens on that account.
func TestOpenAccount(t *testing.T) {
	for _, arg := range []string{"old isp", notify.OpenURI("old isp")} {
		var opened string
		code := Run(context.Background(), []string{"--archive", "/tmp/a.db", "--open-account", arg}, Env{
			WindowOn: func(path, account string) error { opened = path + "|" + account; return nil }})
		if code != 0 || opened != "/tmp/a.db|old isp" {
			t.Errorf("--open-account %q: exit %d, opened %q", arg, code, opened)
		}
	}
}
