package ui

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"popvault/credentials"
	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/health"
)

// shownLabel reports whether a label whose text holds text shows on the
// window or its dialogs. Call it on the UI goroutine.
func shownLabel(w fyne.Window, text string) bool {
	found := false
	roots := append(append([]fyne.CanvasObject(nil), w.Canvas().Overlays().List()...), w.Content())
	walkShown(roots, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, text) {
			found = true
		}
	})
	return found
}

// TestFirstRun follows a newcomer: an empty window with one way in and
// nothing that can do nothing enabled; the provider choice (iCloud says
// it has no POP; Gmail's steps link to Gmail's pages); then another
// server, Test, Save, and the first fetch ending in a summary.
func TestFirstRun(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: testMail})
	defer s.Close()
	var mu sync.Mutex
	var opened []string
	u, w := newTestUIWith(t, s, Options{OpenURL: func(a string) error { mu.Lock(); opened = append(opened, a); mu.Unlock(); return nil }})
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]

	eventually(t, "the welcome", func() bool { return u.welcome.Visible() })
	ui(func() {
		if !u.fetchButton.Disabled() || !u.copyButton.Disabled() || !u.sidebar.edit.Disabled() || !u.sidebar.remove.Disabled() {
			t.Error("Fetch with no account, Copy to IMAP with no mail, or Edit and Remove on All mail, are enabled")
		}
	})
	tap(t, w, "Back up a mailbox")
	tap(t, w, "iCloud Mail")
	eventually(t, "iCloud's answer", func() bool { return shownLabel(w, "iCloud Mail has no POP") })
	tap(t, w, "Gmail")
	var f *accountForm
	eventually(t, "Gmail's steps", func() bool { return shownLabel(w, "Enable POP for all mail") && shownLabel(w, "keep Gmail's copy") })
	var link *widget.Hyperlink
	ui(func() {
		walkShown(w.Canvas().Overlays().List(), func(o fyne.CanvasObject) {
			if h, ok := unwrap(o).(*widget.Hyperlink); ok && link == nil {
				link = h
			}
		})
		link.TypedKey(&fyne.KeyEvent{Name: fyne.KeySpace}) // as the keyboard opens it
	})
	mu.Lock()
	if len(opened) != 1 || opened[0] != health.GmailPOPSettings {
		t.Fatalf("the first step's link opened %q", opened)
	}
	mu.Unlock()
	tap(t, w, "Cancel")

	tap(t, w, "Back up a mailbox")
	tap(t, w, "Another server")
	eventually(t, "the account dialog", func() bool { return button(w, "Test connection") != nil })
	ui(func() {
		// The dialog the choice opened, found through its Test button.
		walkShown(w.Canvas().Overlays().List(), func(o fyne.CanvasObject) {
			if sel, ok := unwrap(o).(*widget.Select); ok && sel.Selected == "Another server" && f == nil {
				f = u.lastAccountForm
			}
		})
		test.Type(f.email, "me@example.org")
		test.Type(f.name, "Home")
		test.Type(f.host, "127.0.0.1")
		f.port.SetText(port)
		test.Type(f.user, "alice")
		test.Type(f.password, "secret")
		if f.check.Selected != "Every hour" {
			t.Errorf("a first account checks %q", f.check.Selected)
		}
	})
	tap(t, w, "Test connection")
	eventually(t, "Test connection", func() bool { return strings.HasPrefix(f.result.Text, "Connected: 3 messages") })
	tap(t, w, "Save")
	eventually(t, "the summary of the first fetch", func() bool {
		return shownLabel(w, "3 messages backed up from Home; next check in an hour.")
	})
	eventually(t, "the counts read again", func() bool { return u.counts["Home"].Total == 3 })
	ui(func() {
		if u.welcome.Visible() || u.fetchButton.Disabled() || u.copyButton.Disabled() {
			t.Errorf("after the first fetch: welcome %v, Fetch disabled %v, Copy to IMAP disabled %v", u.welcome.Visible(), u.fetchButton.Disabled(), u.copyButton.Disabled())
		}
		u.sidebar.list.Select(1)
		if u.sidebar.edit.Disabled() || u.sidebar.remove.Disabled() {
			t.Error("Edit and Remove disabled on an account")
		}
	})
}

func TestFirstSummary(t *testing.T) {
	tests := map[string]struct {
		r     fetch.Result
		every int
		want  string
	}{
		"hourly":   {fetch.Result{Account: "Gmail", New: 12408}, 60, "12,408 messages backed up from Gmail; next check in an hour."},
		"one":      {fetch.Result{Account: "Work", New: 1}, 15, "1 message backed up from Work; next check in 15 minutes."},
		"by hand":  {fetch.Result{Account: "Old ISP", New: 0}, 0, "0 messages backed up from Old ISP; press Fetch for new mail."},
		"more":     {fetch.Result{Account: "Gmail", New: 1000, More: true}, 60, "1,000 messages backed up from Gmail; more waits on the server, and the next check brings it; next check in an hour."},
		"millions": {fetch.Result{Account: "Big", New: 1234567}, 120, "1,234,567 messages backed up from Big; next check in 2 hours."},
	}
	for name, c := range tests {
		if got := firstSummary(c.r, fetch.Account{Name: c.r.Account, CheckEveryMinutes: c.every}); got != c.want {
			t.Errorf("%s: %q, want %q", name, got, c.want)
		}
	}
}

// TestServerChoice: the one control for what happens on the server gives
// the account's settings, says what it will do, and shows an account's
// settings back.
func TestServerChoice(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	tests := []struct {
		choice      string
		days        string
		keep        bool
		deleteAfter int
		says        string
	}{
		{serverKeep, "", true, 0, "Nothing is ever deleted on the server"},
		{serverKeepDays, "90 days", true, 90, "stays on the server 90 days after it is safely in the archive"},
		{serverDelete, "", false, 0, "deleted from the server as soon as the archive holds it safely"},
	}
	for _, c := range tests {
		ui(func() {
			f := u.showAccountDialog(nil)
			defer f.dialog.Hide()
			f.host.SetText("pop.example.org")
			f.user.SetText("me")
			f.name.SetText("x")
			if c.days != "" {
				f.deleteAfter.SetSelected(c.days)
			}
			f.server.SetSelected(c.choice)
			a, err := f.account()
			if err != nil || a.KeepOnServer != c.keep || a.DeleteAfterDays != c.deleteAfter {
				t.Errorf("%s: keep %v, delete after %d (%v)", c.choice, a.KeepOnServer, a.DeleteAfterDays, err)
			}
			if !strings.Contains(f.consequence.Text, c.says) || f.deleteAfter.Visible() != (c.choice == serverKeepDays) {
				t.Errorf("%s: says %q, days shown %v", c.choice, f.consequence.Text, f.deleteAfter.Visible())
			}
			g := u.showAccountDialog(&a)
			defer g.dialog.Hide()
			if g.server.Selected != c.choice || (c.days != "" && g.deleteAfter.Selected != c.days) {
				t.Errorf("%s shown back as %q, %q", c.choice, g.server.Selected, g.deleteAfter.Selected)
			}
		})
	}
}

// TestAccountDialogSaysWhatIsMissing: Save with fields missing keeps the
// dialog open and what was typed, and says at each field what it lacks.
func TestAccountDialogSaysWhatIsMissing(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	var f *accountForm
	ui(func() {
		f = u.showAccountDialog(nil)
		test.Type(f.user, "alice")
		f.port.SetText("pop")
	})
	tap(t, w, "Save")
	ui(func() {
		for e, want := range map[*dialogEntry]string{f.name: "Give the account a name", f.host: "Type the POP server's name", f.port: "The port is a number"} {
			if l := f.missing[e]; !l.Visible() || !strings.HasPrefix(l.Text, want) {
				t.Errorf("under the field: %q, want %q", l.Text, want)
			}
		}
		if l := f.missing[f.password]; f.missing[f.user].Visible() || f.user.Text != "alice" || !strings.HasPrefix(l.Text, "Type the password") {
			t.Errorf("user %q (note shown %v), under the password %q", f.user.Text, f.missing[f.user].Visible(), l.Text)
		}
		if button(w, "Save") == nil {
			t.Error("the dialog closed")
		}
		test.Type(f.host, "p")
		if f.missing[f.host].Visible() {
			t.Error("the note stays once the field is typed in")
		}
	})
	if len(u.accounts) != 0 {
		t.Fatal("an account was saved")
	}
}

// TestSaveAfterFailedTestAsks: Save with the settings that just failed
// Test connection asks; Go back saves nothing, Save anyway saves.
func TestSaveAfterFailedTestAsks(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	var f *accountForm
	ui(func() {
		f = u.showAccountDialog(nil)
		test.Type(f.name, "Old ISP")
		test.Type(f.host, "127.0.0.1")
		f.port.SetText(port)
		test.Type(f.user, "alice")
		test.Type(f.password, "wrong")
		test.Tap(f.test)
	})
	eventually(t, "the test failing", func() bool { return strings.HasPrefix(f.result.Text, "Failed: Old ISP refused the password") })
	tap(t, w, "Save")
	tap(t, w, "Go back")
	ui(func() {
		if len(u.accounts) != 0 || button(w, "Save anyway") != nil {
			t.Error("Go back saved, or kept asking")
		}
	})
	tap(t, w, "Save")
	tap(t, w, "Save anyway")
	eventually(t, "the account saved", func() bool { return len(u.accounts) == 1 })
}

// TestDropImports: mail files dropped on the window are imported, each
// in its format; one that is not mail is named, in words.
func TestDropImports(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	dir := t.TempDir()
	eml, photo := filepath.Join(dir, "invoice.eml"), filepath.Join(dir, "photo.jpg")
	os.WriteFile(eml, testMail[0].Data, 0o600)
	os.WriteFile(photo, []byte{0xff, 0xd8, 0xff, 0xe0}, 0o600)
	ui(func() { u.dropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(eml), storage.NewFileURI(photo)}) })
	eventually(t, "the message imported", func() bool { return u.counts[""].Total == 1 })
	eventually(t, "the photo named", func() bool { return shownLabel(w, "photo.jpg is not e-mail") })
	eventually(t, "the welcome gone", func() bool { return !u.welcome.Visible() })
}

func TestSplitDetail(t *testing.T) {
	for in, want := range map[string][2]string{
		"The password is kept in /h/.config/popvault/secrets.json, readable only by you, because there is no system keyring here (the D-Bus session bus at disabled: does not answer: dbus: invalid bus address). Fetches from cron read it there.": {
			"The password is kept in /h/.config/popvault/secrets.json, readable only by you, because there is no system keyring here. Fetches from cron read it there.",
			"the D-Bus session bus at disabled: does not answer: dbus: invalid bus address"},
		"The password is kept in your login keychain.": {"The password is kept in your login keychain.", ""},
	} {
		if plain, detail := splitDetail(in); plain != want[0] || detail != want[1] {
			t.Errorf("%q → %q, %q", in, plain, detail)
		}
	}
}

// noKeyring is a password store that says where it keeps passwords as
// the file fallback does when there is no session bus.
type noKeyring struct{ credentials.MemorySecrets }

func (*noKeyring) Where() string {
	return "The password is kept in /h/secrets.json, readable only by you, because there is no system keyring here (the D-Bus session bus at disabled: does not answer: dbus: invalid bus address). Fetches from cron read it there."
}

// TestSettingsPlainWords: Settings says where passwords are in words; the
// D-Bus detail waits behind Details.
func TestSettingsPlainWords(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	ui(func() { u.secrets = &noKeyring{}; u.showSettings() })
	eventually(t, "where passwords are", func() bool { return shownLabel(w, "because there is no system keyring here. Fetches") })
	ui(func() {
		if shownLabel(w, "D-Bus") {
			t.Error("D-Bus shown before Details")
		}
	})
	tap(t, w, "Details")
	eventually(t, "the detail", func() bool { return shownLabel(w, "D-Bus session bus") })
}

// TestSecurityWordsNameNoPort: a port typed by hand is never contradicted
// by the security choice beside it ("TLS (port 995)" beside 46123).
func TestSecurityWordsNameNoPort(t *testing.T) {
	for _, l := range append(append([]string(nil), securityLabels...), imapSecurityLabels...) {
		for _, port := range []string{"995", "110", "993", "143"} {
			if strings.Contains(l, port) {
				t.Errorf("%q names port %s", l, port)
			}
		}
	}
	for _, l := range authLabels {
		if strings.HasPrefix(l, "Sign in with") {
			t.Errorf("%q beside \"Sign in with\" says it twice", l)
		}
	}
}

// TestSaveScrollsToWhatIsMissing: in a dialog taller than the window,
// Save scrolls to the field that lacks something.
func TestSaveScrollsToWhatIsMissing(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	var f *accountForm
	ui(func() {
		f = u.showAccountDialog(nil)
		f.provider.SetSelected("Gmail") // its steps make the dialog tall
		f.email.SetText("ann@gmail.com")
		f.scroll.ScrollToTop()
	})
	tap(t, w, "Save")
	ui(func() {
		d := fyne.CurrentApp().Driver()
		note := f.missing[f.password]
		y := d.AbsolutePositionForObject(note).Y - d.AbsolutePositionForObject(f.scroll).Y
		if !note.Visible() || y < 0 || y > f.scroll.Size().Height {
			t.Errorf("the password's note at %v, the dialog's body %v high (scrolled %v)", y, f.scroll.Size().Height, f.scroll.Offset.Y)
		}
	})
}

// TestDialogKeepsValuesItDoesNotOffer: an account made on the command
// line with days or minutes the dialog's lists lack is shown with them
// and saved with them, not moved to the nearest offered value (14 days
// would become 7, deleting mail sooner than asked); a minute is offered.
func TestDialogKeepsValuesItDoesNotOffer(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	tests := []struct {
		days, minutes         int
		daysShown, everyShown string
	}{
		{14, 30, "14 days", "Every 30 minutes"},
		{2, 1, "2 days", "Every minute"},
		{90, 120, "90 days", "Every 2 hours"},
		{365, 0, "a year", "Off"},
	}
	for _, c := range tests {
		ui(func() {
			a := fetch.Account{Name: "cli", Host: "pop.example.org", Port: 995, User: "me", KeepOnServer: true,
				DeleteAfterDays: c.days, CheckEveryMinutes: c.minutes, Timeout: fetch.Duration(time.Minute)}
			f := u.showAccountDialog(&a)
			defer f.dialog.Hide()
			if f.deleteAfter.Selected != c.daysShown || f.check.Selected != c.everyShown {
				t.Errorf("%d days, %d minutes shown as %q, %q", c.days, c.minutes, f.deleteAfter.Selected, f.check.Selected)
			}
			got, err := f.account()
			if err != nil || got.DeleteAfterDays != c.days || got.CheckEveryMinutes != c.minutes {
				t.Errorf("%d days, %d minutes saved as %d, %d (%v)", c.days, c.minutes, got.DeleteAfterDays, got.CheckEveryMinutes, err)
			}
		})
	}
	ui(func() {
		f := u.showAccountDialog(nil)
		defer f.dialog.Hide()
		f.check.SetSelected("Every minute")
		f.host.SetText("pop.example.org")
		f.user.SetText("me")
		f.name.SetText("x")
		if a, err := f.account(); err != nil || a.CheckEveryMinutes != 1 {
			t.Errorf("Every minute saved as %d (%v)", a.CheckEveryMinutes, err)
		}
	})
}

// TestTestResultSaysWhoseWords: Test connection's failure quotes the
// server only for what the server said; the system's words (a port
// nobody listens on) are given as detail, not put in the server's mouth.
func TestTestResultSaysWhoseWords(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	u, _ := newTestUI(t, s)
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	tests := []struct {
		name, password string
		closed         bool
		says, not      string
	}{
		{"refused", "wrong", false, "(the server said: ", "(in detail: "},
		{"nobody there", "secret", true, "(in detail: ", "the server said"},
	}
	for _, c := range tests {
		if c.closed {
			s.Close()
		}
		var f *accountForm
		ui(func() {
			f = u.showAccountDialog(nil)
			test.Type(f.name, "Old ISP")
			test.Type(f.host, "127.0.0.1")
			f.port.SetText(port)
			test.Type(f.user, "alice")
			test.Type(f.password, c.password)
			test.Tap(f.test)
		})
		eventually(t, c.name+": the test failing", func() bool {
			var text string
			ui(func() { text = f.result.Text })
			return strings.HasPrefix(text, "Failed: ")
		})
		ui(func() {
			if !strings.Contains(f.result.Text, c.says) || strings.Contains(f.result.Text, c.not) {
				t.Errorf("%s: Test connection says %q", c.name, f.result.Text)
			}
			f.dialog.Hide()
		})
	}
}
