package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"popvault/archive"
	"popvault/fetch/pop3test"
	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
	"popvault/tools/latency"
)

// storeMail puts n messages of the usual mix into the archive under
// account and returns their ids.
func storeMail(t *testing.T, a *archive.Archive, account string, n int, seed uint64) []uint64 {
	t.Helper()
	g := mailgen.New(seed)
	var batch []archive.Incoming
	for i := 0; i < n; i++ {
		batch = append(batch, archive.Incoming{Account: account, UID: fmt.Sprint(seed, "-", i), Raw: g.Next().Data,
			Arrived: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour)})
	}
	stored, err := a.Store(batch)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, s := range stored {
		ids = append(ids, s.ID)
	}
	return ids
}

// imapMailbox counts the copies of each message in bob's mailbox.
func imapMailbox(t *testing.T, d *dovecot.Server, name string) map[string]int {
	t.Helper()
	msgs, err := d.IMAPMessages(name)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, m := range msgs {
		got[string(m)]++
	}
	return got
}

// copyTo fills in the dialog for bob's mailbox through port and presses
// Copy, and returns the form once the summary shows.
func copyTo(t *testing.T, u *UI, d *dovecot.Server, port int, mailbox string, fill func(*restoreForm)) *restoreForm {
	t.Helper()
	var f *restoreForm
	ui(func() {
		f = u.showRestoreDialog()
		f.preset.SetSelected(imapPresets[len(imapPresets)-1].name)
		test.Type(f.host, "127.0.0.1")
		f.port.SetText(fmt.Sprint(port))
		f.user.SetText(d.User2)
		test.Type(f.password, d.Password2)
		f.mailbox.SetText(mailbox)
		if fill != nil {
			fill(f)
		}
	})
	tap(t, u.win, "Copy")
	return f
}

func waitSummary(t *testing.T, f *restoreForm) string {
	t.Helper()
	eventually(t, "the copy's summary", func() bool {
		if f.progress == nil {
			return false
		}
		select {
		case <-f.progress.done:
			return true
		default:
			return false
		}
	})
	var text string
	ui(func() { text = f.progress.summary })
	return text
}

func TestCopyToIMAP(t *testing.T) {
	d := dovecot.StartForTestWith(t, dovecot.Options{IMAP: true})
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	ui(func() { u.opts.RootCAs = d.Pool })
	work := storeMail(t, u.arch, "Work", 40, 1)
	storeMail(t, u.arch, "Home", 10, 2)
	ui(u.reloadAccounts)
	ui(func() { u.selected = "Work"; u.list.reload() })
	eventually(t, "Work's messages listed", func() bool { return len(u.list.items) == 40 })

	// Everything shown: Work's 40 messages, byte for byte, once.
	f := copyTo(t, u, d, d.IMAPTLSPort, "Copied", func(f *restoreForm) {
		if f.scope.Selected != "All of Work (40 messages)" {
			t.Errorf("the dialog offers %q", f.scope.Selected)
		}
	})
	if text := waitSummary(t, f); !strings.Contains(text, "Copied") || !strings.Contains(text, "40 of 40 messages are in Copied on 127.0.0.1") {
		t.Fatalf("summary: %q", text)
	}
	got := imapMailbox(t, d, "Copied")
	for _, id := range work {
		raw, _ := u.arch.Raw(id)
		if got[string(raw)] != 1 {
			t.Fatalf("message %d is in the mailbox %d times", id, got[string(raw)])
		}
	}
	if len(got) != 40 {
		t.Fatalf("the mailbox holds %d different messages", len(got))
	}

	// The open message alone, into a mailbox that does not exist and may
	// not be made: a clear error, nothing copied.
	ui(func() { u.list.widget.Select(0) })
	eventually(t, "a message open", func() bool { return u.reader.view != nil })
	f = copyTo(t, u, d, d.IMAPTLSPort, "Missing", func(f *restoreForm) {
		f.scope.SetSelected(f.scopeOpen)
		f.create.SetChecked(false)
	})
	if text := waitSummary(t, f); !strings.Contains(text, "Not copied") || !strings.Contains(text, "no mailbox “Missing”") || !strings.Contains(text, "Make the mailbox") {
		t.Fatalf("summary for a missing mailbox: %q", text)
	}
	f = copyTo(t, u, d, d.IMAPTLSPort, "One", func(f *restoreForm) { f.scope.SetSelected(f.scopeOpen) })
	if text := waitSummary(t, f); !strings.Contains(text, "1 of 1 messages") {
		t.Fatalf("summary for the open message: %q", text)
	}
	// The dialog opens on the last copy's server, without its password.
	ui(func() {
		f := u.showRestoreDialog()
		if f.host.Text != "127.0.0.1" || f.port.Text != fmt.Sprint(d.IMAPTLSPort) || f.user.Text != d.User2 || f.mailbox.Text != "One" || f.password.Text != "" {
			t.Errorf("the dialog remembered %q %q %q %q, password %q", f.host.Text, f.port.Text, f.user.Text, f.mailbox.Text, f.password.Text)
		}
		f.dialog.Hide()
	})
	var open uint64
	ui(func() { open = u.reader.view.ID })
	raw, _ := u.arch.Raw(open)
	if got := imapMailbox(t, d, "One"); len(got) != 1 || got[string(raw)] != 1 {
		t.Fatalf("the open message was not copied alone: %d messages", len(got))
	}
}

// TestCopyToIMAPCancel cancels a copy over a slow link: the summary says
// what is missing, and copying again sends only that.
func TestCopyToIMAPCancel(t *testing.T) {
	// Without MULTIAPPEND and LITERAL+, each message waits a round trip.
	d := dovecot.StartForTestWith(t, dovecot.Options{IMAP: true, HideCaps: []string{"MULTIAPPEND", "LITERAL+"}})
	proxy, err := latency.New(d.IMAPTLSAddr(), 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	port := proxy.Addr[strings.LastIndexByte(proxy.Addr, ':')+1:]
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	ui(func() { u.opts.RootCAs = d.Pool })
	ids := storeMail(t, u.arch, "Work", 300, 3)

	var p int
	fmt.Sscan(port, &p)
	f := copyTo(t, u, d, p, "Slow", nil)
	eventually(t, "some messages copied", func() bool {
		return f.progress != nil && f.progress.bar.Value > 0 && f.progress.bar.Value < 1
	})
	ui(func() { test.Tap(f.progress.cancel) })
	text := waitSummary(t, f)
	if !strings.Contains(text, "Copy incomplete") || !strings.Contains(text, "You cancelled the copy") || !strings.Contains(text, "not copied") {
		t.Fatalf("summary after Cancel: %q", text)
	}
	proxy.SetRTT(0)
	f = copyTo(t, u, d, p, "Slow", nil)
	if text := waitSummary(t, f); !strings.Contains(text, "300 of 300 messages") {
		t.Fatalf("summary of the second copy: %q", text)
	}
	got := imapMailbox(t, d, "Slow")
	for _, id := range ids {
		raw, _ := u.arch.Raw(id)
		if got[string(raw)] != 1 {
			t.Fatalf("message %d is in the mailbox %d times", id, got[string(raw)])
		}
	}
}

func TestRestoreFormChecks(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	ui(func() {
		f := u.showRestoreDialog()
		f.preset.SetSelected("Gmail")
		if f.host.Text != "imap.gmail.com" || f.port.Text != "993" || !strings.Contains(f.note.Text, "app password") {
			t.Errorf("Gmail preset: %q %q %q", f.host.Text, f.port.Text, f.note.Text)
		}
		f.security.SetSelectedIndex(1)
		if f.port.Text != "143" {
			t.Errorf("STARTTLS port %q", f.port.Text)
		}
		f.security.SetSelectedIndex(2)
		if !strings.Contains(f.warning.Text, "plain text") {
			t.Errorf("no warning without encryption: %q", f.warning.Text)
		}
		f.user.SetText("me@gmail.com")
		if _, err := f.target(); err == nil || !strings.Contains(err.Error(), "password") {
			t.Errorf("no password: %v", err)
		}
		f.port.SetText("99999")
		if _, err := f.target(); err == nil || !strings.Contains(err.Error(), "port") {
			t.Errorf("bad port: %v", err)
		}
	})
}

// TestRestoreFormSaysWhatIsMissing: Copy with a field missing keeps the
// dialog open with what was chosen, and says at the field what it lacks.
func TestRestoreFormSaysWhatIsMissing(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	var f *restoreForm
	ui(func() {
		f = u.showRestoreDialog()
		f.preset.SetSelected("Fastmail")
		f.mailbox.SetText("Archive 2019")
	})
	for _, c := range []struct {
		fill  func()
		field func() *dialogEntry
		says  string
	}{
		{func() {}, func() *dialogEntry { return f.user }, "Fill in the user name."},
		{func() { f.user.SetText("me@fastmail.com") }, func() *dialogEntry { return f.password }, "Fill in the password."},
		{func() { f.password.SetText("app-password"); f.port.SetText("x") }, func() *dialogEntry { return f.port }, "The port must be a number"},
	} {
		ui(c.fill)
		tap(t, w, "Copy")
		ui(func() {
			l := f.notes[c.field()]
			if !l.Visible() || !strings.HasPrefix(l.Text, c.says) {
				t.Errorf("under the field: %q (shown %v), want %q", l.Text, l.Visible(), c.says)
			}
			if button(w, "Copy") == nil || f.host.Text != "imap.fastmail.com" || f.mailbox.Text != "Archive 2019" || f.progress != nil {
				t.Error("the dialog closed, lost what was chosen, or copied")
			}
		})
	}
}
