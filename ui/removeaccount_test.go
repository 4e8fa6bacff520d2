package ui

import (
	"testing"

	"popvault/archive"
	"popvault/fetch/pop3test"
)

// Removing an account in the window keeps its mail or deletes it, as the
// button pressed says.
func TestRemoveAccountKeepsOrDeletesMail(t *testing.T) {
	for _, tt := range []struct {
		button string
		left   int
	}{
		{"Remove, keep its mail", 3},
		{"Remove with its mail", 0},
	} {
		t.Run(tt.button, func(t *testing.T) {
			s := pop3test.NewTLSServer(pop3test.Config{})
			defer s.Close()
			u, w := newTestUI(t, s)
			addAccount(t, u, s, "Home", "secret")
			var batch []archive.Incoming
			for _, m := range testMail {
				batch = append(batch, archive.Incoming{Account: "Home", UID: m.UID, Raw: m.Data})
			}
			if _, err := u.arch.Store(batch); err != nil {
				t.Fatal(err)
			}
			ui(func() { u.confirmRemove("Home") })
			tap(t, w, tt.button)
			eventually(t, "the account gone", func() bool { return len(u.accounts) == 0 })
			if c, err := u.arch.Count(); err != nil || c[""].Total != tt.left {
				t.Fatalf("%d messages left (%v), want %d", c[""].Total, err, tt.left)
			}
		})
	}
}
