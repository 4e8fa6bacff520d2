package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"popvault/credentials"
	"popvault/deliver"
	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/fetch/pop3test/dovecot"
	"popvault/oauth"
	"popvault/oauth/oauthtest"
)

// TestDeliveryDialog: an account added through the dialog with "Also put
// new mail into another mailbox" checks the target on Test connection,
// keeps its password under the account's key, and its fetch delivers
// each message into the target, which the sidebar counts.
func TestDeliveryDialog(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: testMail})
	defer s.Close()
	d := dovecot.StartForTestWith(t, dovecot.Options{IMAP: true})
	u, w := newTestUI(t, s)
	pem, err := os.ReadFile(d.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	u.opts.RootCAs.AppendCertsFromPEM(pem)
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	var f *accountForm
	ui(func() {
		f = u.showAccountDialog(nil)
		test.Type(f.email, "me@example.org")
		test.Type(f.name, "Old")
		test.Type(f.host, "127.0.0.1")
		f.port.SetText(port)
		test.Type(f.user, "alice")
		test.Type(f.password, "secret")
		test.Tap(f.deliver.on)
		f.deliver.preset.SetSelected(imapPresets[len(imapPresets)-1].name)
		test.Type(f.deliver.host, "127.0.0.1")
		f.deliver.port.SetText(strconv.Itoa(d.IMAPTLSPort))
		test.Type(f.deliver.user, d.User2)
		test.Type(f.deliver.pwd, d.Password2)
		test.Tap(f.test)
	})
	eventually(t, "Test connection, the other mailbox too", func() bool {
		return strings.Contains(f.result.Text, "The other mailbox, INBOX on 127.0.0.1, is ready") || strings.Contains(f.result.Text, "ailed")
	})
	if !strings.Contains(f.result.Text, "is ready") {
		t.Fatalf("Test connection says %q", f.result.Text)
	}
	tap(t, w, "Save")
	eventually(t, "the account", func() bool { return len(u.accounts) == 1 && u.accounts[0].Deliver != nil })
	if pw, err := u.secrets.Get(deliver.PasswordKey(u.accounts[0])); err != nil || pw != d.Password2 {
		t.Fatalf("the other mailbox's password is not kept under the account's key (%v)", err)
	}
	tap(t, w, "Fetch")
	eventually(t, "3 delivered, in the sidebar", func() bool { return u.deliveries["Old"] == "3 delivered" })
	got, err := d.IMAPMessages("INBOX")
	if err != nil || len(got) != 3 {
		t.Fatalf("the other mailbox holds %d messages, want 3 (%v)", len(got), err)
	}
	old := u.accounts[0]
	ui(func() { u.confirmRemove("Old") })
	tap(t, w, "Remove, keep its mail")
	eventually(t, "account gone", func() bool { return len(u.accounts) == 0 })
	if pw, err := u.secrets.Get(deliver.PasswordKey(old)); err == nil && pw != "" {
		t.Error("the other mailbox's password outlived the account")
	}
}

// TestDeliverySignInWithGoogle: the other mailbox signs in with Google in
// the browser (a test plays it, and Dovecot asks the provider about each
// token): the sign-in is offered only for Google's servers, Test
// connection uses it before anything is kept, Save keeps it under the
// account's delivery key and no password, the fetch delivers with it, and
// removing the account forgets it.
func TestDeliverySignInWithGoogle(t *testing.T) {
	p := oauthtest.NewServer("popvault-test.apps.googleusercontent.com", "GOCSPX-test-secret")
	t.Cleanup(p.Close)
	d := dovecot.StartForTestWith(t, dovecot.Options{IMAP: true, Introspection: p.URL + "/introspect"})
	p.User = d.User2
	s := pop3test.NewTLSServer(pop3test.Config{Messages: testMail})
	defer s.Close()
	store := credentials.NewOAuthStore(credentials.OAuthStoreOptions{ClientsFile: filepath.Join(t.TempDir(), "clients.json"), Tokens: &credentials.MemorySecrets{},
		MailHosts: map[string][]string{oauth.ProviderGoogle: {"127.0.0.1", "imap.gmail.com"}}})
	var browser func(string) error
	store.HTTPClient, browser = p.Impersonate("accounts.google.com", "oauth2.googleapis.com")
	u, w := newTestUIWith(t, s, Options{OAuth: store, OpenURL: browser})
	pem, err := os.ReadFile(d.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	u.opts.RootCAs.AppendCertsFromPEM(pem)
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	var f *accountForm
	ui(func() {
		f = u.showAccountDialog(nil)
		test.Type(f.email, "me@example.org")
		test.Type(f.name, "Old")
		test.Type(f.host, "127.0.0.1")
		f.port.SetText(port)
		test.Type(f.user, "alice")
		test.Type(f.password, "secret")
		test.Tap(f.deliver.on)
		f.deliver.preset.SetSelected("Gmail")
		f.deliver.signIn.SetSelected("Google, in your browser")
		if !f.deliver.pwd.Hidden || f.deliver.browserBox.Hidden || f.deliver.browser.Text != "Sign in with Google" {
			t.Error("choosing Google did not offer its sign-in in place of the password")
		}
		f.deliver.host.SetText("imap.example.org")
		if !f.deliver.browser.Disabled() || !strings.Contains(f.deliver.signInStatus.Text, "never to imap.example.org") {
			t.Errorf("Google's sign-in offered for another server: %q", f.deliver.signInStatus.Text)
		}
		f.deliver.host.SetText("127.0.0.1") // plays imap.gmail.com
		f.deliver.port.SetText(strconv.Itoa(d.IMAPTLSPort))
		test.Type(f.deliver.user, d.User2)
		if err := f.deliver.importFile([]byte(googleClientFile)); err != nil {
			t.Error(err)
		}
		test.Tap(f.deliver.browser)
	})
	eventually(t, "signed in", func() bool { return strings.HasPrefix(f.deliver.signInStatus.Text, "Signed in") })
	ui(func() { test.Tap(f.test) })
	eventually(t, "Test connection, the other mailbox too", func() bool {
		return strings.Contains(f.result.Text, "is ready") || strings.Contains(f.result.Text, "ailed")
	})
	if !strings.Contains(f.result.Text, "The other mailbox, INBOX on 127.0.0.1, is ready") {
		t.Fatalf("Test connection says %q", f.result.Text)
	}
	tap(t, w, "Save")
	eventually(t, "the account", func() bool { return len(u.accounts) == 1 && u.accounts[0].Deliver != nil })
	old := u.accounts[0]
	if old.Deliver.OAuth != oauth.ProviderGoogle {
		t.Fatalf("the target signs in with %q", old.Deliver.OAuth)
	}
	if _, err := store.Client(deliver.SignInAccount(old)); err != nil {
		t.Fatalf("the sign-in is not kept under the account's delivery key: %v", err)
	}
	if pw, err := u.secrets.Get(deliver.PasswordKey(old)); err == nil && pw != "" {
		t.Error("a password is kept for a target that signs in with Google")
	}
	tap(t, w, "Fetch")
	eventually(t, "3 delivered, in the sidebar", func() bool { return u.deliveries["Old"] == "3 delivered" })
	if got, err := d.IMAPMessages("INBOX"); err != nil || len(got) != 3 {
		t.Fatalf("the other mailbox holds %d messages, want 3 (%v)", len(got), err)
	}
	if p.Count("introspect") == 0 {
		t.Fatal("Dovecot never asked the provider about a token")
	}
	raw, _ := os.ReadFile(u.opts.ArchivePath)
	for _, leak := range append(p.Issued(), "GOCSPX-test-secret") {
		if bytes.Contains(raw, []byte(leak)) {
			t.Fatal("the archive holds a token or the client secret")
		}
	}
	ui(func() { u.confirmRemove("Old") })
	tap(t, w, "Remove, keep its mail")
	eventually(t, "account gone", func() bool { return len(u.accounts) == 0 })
	if _, err := store.Client(deliver.SignInAccount(old)); err == nil {
		t.Error("the other mailbox's sign-in outlived the account")
	}
}

// TestDeliveryAlsoArchived: turning delivery on for an account with mail
// asks whether what is archived goes there too (only new mail unless
// asked); asked, it goes in the background, once.
func TestDeliveryAlsoArchived(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: testMail})
	defer s.Close()
	d := dovecot.StartForTestWith(t, dovecot.Options{IMAP: true})
	u, w := newTestUI(t, s)
	pem, err := os.ReadFile(d.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	u.opts.RootCAs.AppendCertsFromPEM(pem)
	addAccount(t, u, s, "Old", "secret")
	ui(u.fetchNow)
	eventually(t, "3 archived", func() bool { return u.counts["Old"].Total == 3 })
	var f *accountForm
	ui(func() {
		f = u.showAccountDialog(&u.accounts[0])
		test.Tap(f.deliver.on)
		if f.deliver.backlog.Hidden || f.deliver.backlog.Selected != onlyNew || len(f.deliver.backlog.Options) != 2 ||
			!strings.Contains(f.deliver.backlog.Options[1], "Also the 3 messages already archived") {
			t.Errorf("the question: shown %v, %q of %q", !f.deliver.backlog.Hidden, f.deliver.backlog.Selected, f.deliver.backlog.Options)
		}
		f.deliver.backlog.SetSelected(f.deliver.backlog.Options[1])
		f.deliver.preset.SetSelected(imapPresets[len(imapPresets)-1].name)
		test.Type(f.deliver.host, "127.0.0.1")
		f.deliver.port.SetText(strconv.Itoa(d.IMAPTLSPort))
		test.Type(f.deliver.user, d.User2)
		test.Type(f.deliver.pwd, d.Password2)
	})
	tap(t, w, "Save")
	eventually(t, "the archived mail put there", func() bool {
		return strings.Contains(u.status.Text, "all 3 archived messages are in INBOX on 127.0.0.1")
	})
	if got, err := d.IMAPMessages("INBOX"); err != nil || len(got) != 3 {
		t.Fatalf("the other mailbox holds %d messages, want 3 (%v)", len(got), err)
	}
	ui(u.fetchNow)
	eventually(t, "a fetch after", func() bool { _, ok := u.deliveries["Old"]; return ok })
	if got, err := d.IMAPMessages("INBOX"); err != nil || len(got) != 3 {
		t.Fatalf("after a fetch the other mailbox holds %d messages, want 3 (%v)", len(got), err)
	}
	ui(func() {
		f = u.showAccountDialog(&u.accounts[0])
		if !f.deliver.backlog.Hidden {
			t.Error("asked again for an account that delivers already")
		}
	})
}

// TestDeliveryTooLargeNote: a message the other mailbox will not take is
// said on the account the fetch it happens, as a failure; from then on
// the sidebar keeps it as a note, named, with what to do, and the fetch
// is no failure.
func TestDeliveryTooLargeNote(t *testing.T) {
	big := pop3test.Message{UID: "big", Data: []byte("From: a@example.com\r\nSubject: the big one\r\nMessage-ID: <big@example.com>\r\n\r\n" +
		strings.Repeat(strings.Repeat("x", 76)+"\r\n", 3000))}
	s := pop3test.NewTLSServer(pop3test.Config{Messages: append(append([]pop3test.Message(nil), testMail...), big)})
	defer s.Close()
	d := dovecot.StartForTestWith(t, dovecot.Options{IMAP: true, MaxMailKiB: 150})
	u, _ := newTestUI(t, s)
	pem, err := os.ReadFile(d.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	u.opts.RootCAs.AppendCertsFromPEM(pem)
	addAccount(t, u, s, "Old", "secret")
	old := u.accounts[0]
	old.Deliver = &fetch.Delivery{Host: "127.0.0.1", Port: d.IMAPTLSPort, User: d.User2, Mailbox: "INBOX"}
	if err := u.saveDelivery(&old, nil, targetSecret{typed: d.Password2}); err != nil {
		t.Fatal(err)
	}
	if err := fetch.SaveAccount(u.arch, old); err != nil {
		t.Fatal(err)
	}
	ui(u.reloadAccounts)
	eventually(t, "delivering", func() bool { return len(u.accounts) == 1 && u.accounts[0].Deliver != nil })
	// What the account says after each fetch: its problem, its note, its
	// delivery line.
	type said struct{ problem, note, line string }
	var after []said
	for range 2 {
		ui(func() { delete(u.deliveries, "Old") })
		ui(u.fetchNow)
		eventually(t, "a fetch", func() bool { _, ok := u.deliveries["Old"]; return ok })
		ui(func() { after = append(after, said{u.problems["Old"], u.notes["Old"], u.deliveries["Old"]}) })
	}
	first, later := after[0], after[1]
	if !strings.HasPrefix(first.problem, "Not delivered:") || !strings.Contains(first.problem, `"the big one"`) {
		t.Errorf("the fetch it happens, the account says %q", first.problem)
	}
	if later.problem != "" || !strings.Contains(later.note, `"the big one"`) ||
		!strings.Contains(later.note, "kept on the POP server and in the archive") || later.line != "1 too large to deliver" {
		t.Errorf("a later fetch, the account says %q, notes %q; %q", later.problem, later.note, later.line)
	}
	// In the sidebar, whole, as a note rather than a failure.
	var shown *widget.Label
	eventually(t, "the note in the sidebar", func() bool {
		walkShown([]fyne.CanvasObject{u.sidebar.widget}, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && l.Text == later.note {
				shown = l
			}
		})
		return shown != nil
	})
	// The sidebar's list sets its labels again on each paint: read them on
	// the UI goroutine.
	var importance widget.Importance
	var wrapping fyne.TextWrap
	ui(func() { importance, wrapping = shown.Importance, shown.Wrapping })
	if importance != widget.WarningImportance || wrapping != fyne.TextWrapWord {
		t.Errorf("the note is shown as %v, wrapping %v", importance, wrapping)
	}
	if got, err := d.IMAPMessages("INBOX"); err != nil || len(got) != 3 {
		t.Fatalf("the other mailbox holds %d messages, want the 3 that fit (%v)", len(got), err)
	}
}
