package ui

import (
	"io"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/health"
)

// TestHealthInTheWindow: a fetch's health shows beside the account, and
// an account whose last backup is older than a day raises the banner.
func TestHealthInTheWindow(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: testMail})
	defer s.Close()
	u, _ := newTestUI(t, s)
	addAccount(t, u, s, "home", "secret")
	ui(u.fetchNow)
	eventually(t, "the fetch's health beside the account", func() bool {
		return u.healthNote("home") == " · a moment ago"
	})
	var shown bool
	var said string
	ui(func() { shown, said = !u.banner.box.Hidden, u.banner.label.Text })
	if shown {
		t.Fatalf("the banner shows after a backup: %q", said)
	}
	// Three days later, as the record says.
	if err := health.Change(u.arch, "home", func(r *health.Record) {
		r.LastSuccess, r.LastAttempt = r.LastSuccess.Add(-72*time.Hour), r.LastAttempt.Add(-72*time.Hour)
	}); err != nil {
		t.Fatal(err)
	}
	ui(u.loadHealth)
	eventually(t, "the banner", func() bool {
		return !u.banner.box.Hidden && strings.Contains(u.banner.label.Text, "No recent backup of home (last backup 3 days ago)")
	})
	if note := u.healthNote("home"); note != " · 3 days ago" {
		t.Errorf("the sidebar says %q", note)
	}
	// A failing account says for how long.
	if err := health.Change(u.arch, "home", func(r *health.Record) {
		r.Add(fetch.Account{Name: "home"}, fetch.Result{Account: "home", Err: io.ErrUnexpectedEOF}, time.Now().Add(-2*time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	ui(u.loadHealth)
	eventually(t, "failing in the sidebar, and why", func() bool {
		return u.healthNote("home") == " · failing 2 hours" && u.problems["home"] == "home's server or the network failed for now: popvault tries again at the next fetch"
	})
}

// findCheck is the shown check box labelled text; call it on the UI
// goroutine.
func findCheck(w fyne.Window, text string) *widget.Check {
	var found *widget.Check
	roots := append(append([]fyne.CanvasObject(nil), w.Canvas().Overlays().List()...), w.Content())
	walkShown(roots, func(o fyne.CanvasObject) {
		if c, ok := unwrap(o).(*widget.Check); ok && c.Text == text && found == nil {
			found = c
		}
	})
	return found
}
