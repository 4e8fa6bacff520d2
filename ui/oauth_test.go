package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"golang.org/x/oauth2"

	"popvault/credentials"
	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/oauth"
	"popvault/oauth/oauthtest"
)

// googleClientFile is a client file as Google's console gives it.
const googleClientFile = `{"installed":{"client_id":"popvault-test.apps.googleusercontent.com","client_secret":"GOCSPX-test-secret",` +
	`"auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token","redirect_uris":["http://localhost"]}}`

// googleForTest is a local provider that plays Google (its endpoints are
// Google's, always, so requests for them go to it), a POP server for
// alice@gmail.com that takes its tokens, and a store of sign-ins that
// lets Google's go to that server on 127.0.0.1; and the browser.
func googleForTest(t *testing.T, tokens credentials.Secrets, clientsFile string) (*oauthtest.Server, *pop3test.Server, *credentials.OAuthStore, func(string) error) {
	p := oauthtest.NewServer("popvault-test.apps.googleusercontent.com", "GOCSPX-test-secret")
	t.Cleanup(p.Close)
	s := pop3test.NewTLSServer(pop3test.Config{User: "alice@gmail.com", Messages: testMail, ValidToken: p.Valid})
	t.Cleanup(s.Close)
	store := credentials.NewOAuthStore(credentials.OAuthStoreOptions{ClientsFile: clientsFile, Tokens: tokens,
		MailHosts: map[string][]string{oauth.ProviderGoogle: {"127.0.0.1", "imap.gmail.com"}}})
	var browser func(string) error
	store.HTTPClient, browser = p.Impersonate("accounts.google.com", "oauth2.googleapis.com")
	return p, s, store, browser
}

// A Gmail account added from the window with no password typed: the
// Google preset, the client file imported, "Sign in with Google" (a test
// plays the browser), Test connection, Save and Fetch; a day later it
// fetches again with no prompt; once the sign-in is revoked, the account
// says so and its "Sign in again" button mends it.
func TestSignInWithGoogle(t *testing.T) {
	p, s, store, browser := googleForTest(t, &credentials.MemorySecrets{}, filepath.Join(t.TempDir(), "clients.json"))
	u, w := newTestUIWith(t, s, Options{OAuth: store, OpenURL: browser})
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]

	var f *accountForm
	ui(func() {
		f = u.showAccountDialog(nil)
		test.Type(f.email, "alice@gmail.com")
		if f.host.Text != "pop.gmail.com" || f.user.Text != "alice@gmail.com" || !strings.Contains(f.note.Text, "sign in with Google") {
			t.Errorf("the Gmail preset: %q %q %q", f.host.Text, f.user.Text, f.note.Text)
		}
		f.auth.SetSelectedIndex(1) // Sign in with Google
		if f.password.Disabled() == false || f.oauth.signIn.Text != "Sign in with Google" || f.oauth.box.Hidden {
			t.Error("choosing Google did not offer its sign-in")
		}
		if err := f.oauth.importFile([]byte(googleClientFile)); err != nil {
			t.Error(err)
		}
		f.host.SetText("127.0.0.1") // the test server plays Gmail
		f.port.SetText(port)
		test.Tap(f.oauth.signIn)
	})
	eventually(t, "signed in", func() bool { return strings.HasPrefix(f.oauth.status.Text, "Signed in") })
	ui(func() { test.Tap(f.test) })
	eventually(t, "Test connection", func() bool { return strings.HasPrefix(f.result.Text, "Connected: 3 messages") })
	tap(t, w, "Save")
	eventually(t, "the account", func() bool { return len(u.accounts) == 1 && u.accounts[0].OAuth == oauth.ProviderGoogle })
	ui(u.fetchNow)
	eventually(t, "3 messages", func() bool { return u.counts["Gmail"].Total == 3 })

	// A day later, on the fetch's clock and the provider's.
	ui(func() { u.fetcher.Now = func() time.Time { return time.Now().Add(24 * time.Hour) } })
	p.Advance(24 * time.Hour)
	s.Add(pop3test.Message{UID: "4", Data: []byte("Subject: next day\r\n\r\nhi\r\n")})
	ui(u.fetchNow)
	eventually(t, "4 messages", func() bool { return u.counts["Gmail"].Total == 4 })
	if p.Count("authorize") != 1 || p.Count("refresh_token") != 1 {
		t.Fatalf("a day later: %d consent pages, %d refreshes", p.Count("authorize"), p.Count("refresh_token"))
	}

	p.Revoke()
	ui(u.fetchNow)
	eventually(t, "Sign in again offered", func() bool {
		return u.needsSignIn["Gmail"] && u.problems["Gmail"] == "Gmail needs you to sign in again"
	})
	if p.Count("authorize") != 1 {
		t.Fatal("a fetch opened a browser by itself")
	}
	tap(t, w, "Sign in again")
	eventually(t, "signed in again and fetched", func() bool {
		return !u.needsSignIn["Gmail"] && u.problems["Gmail"] == "" && p.Count("authorize") == 2 && s.Count("QUIT") >= 4
	})

	raw, _ := os.ReadFile(u.opts.ArchivePath)
	for _, leak := range append(p.Issued(), "GOCSPX-test-secret") {
		if bytes.Contains(raw, []byte(leak)) {
			t.Fatal("the archive holds a token or the client secret")
		}
	}
}

// Outlook.com takes no password: its preset signs in with Microsoft.
func TestOutlookPresetSignsIn(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	ui(func() {
		f := u.showAccountDialog(nil)
		test.Type(f.email, "someone@hotmail.com")
		if f.oauth.provider() != oauth.ProviderMicrosoft || !f.password.Disabled() || !strings.Contains(f.note.Text, "no password") {
			t.Errorf("Outlook.com: signs in with %q, password disabled %v, note %q", f.oauth.provider(), f.password.Disabled(), f.note.Text)
		}
		if _, err := f.oauth.oauthClient(); err == nil || !strings.Contains(err.Error(), "client) ID") {
			t.Errorf("no client ID, yet: %v", err)
		}
	})
}

// signedIn adds an OAuth account at provider to the window's archive,
// signed in (with a token no provider issued), and waits for the window
// to show it.
func signedIn(t *testing.T, u *UI, store *credentials.OAuthStore, name, provider, host string) fetch.Account {
	t.Helper()
	a := fetch.Account{Name: name, ID: fetch.NewAccountID(), Host: host, Port: 995, User: "alice@gmail.com", KeepOnServer: true, OAuth: provider}
	if err := fetch.AddAccount(u.arch, a); err != nil {
		t.Fatal(err)
	}
	tok := &oauth2.Token{AccessToken: "access-" + name, RefreshToken: "refresh-" + name, Expiry: time.Now().Add(time.Hour)}
	if err := store.Save(a, credentials.NewSignIn(oauth.Google("popvault-test.apps.googleusercontent.com", "GOCSPX-test-secret"), tok)); err != nil {
		t.Fatal(err)
	}
	ui(u.reloadAccounts)
	eventually(t, "the account "+name, func() bool {
		for _, b := range u.accounts {
			if b.Name == name {
				return true
			}
		}
		return false
	})
	return a
}

// "Copy to IMAP…" offers a Gmail account's sign-in, but sends it only to
// Google's servers: when the last copy's server is put back, when
// another is typed, or when encryption is turned off, the dialog goes
// back to a password and says why; Copy asks the store again.
func TestCopySignInStaysWithItsServer(t *testing.T) {
	_, s, store, _ := googleForTest(t, &credentials.MemorySecrets{}, filepath.Join(t.TempDir(), "clients.json"))
	u, _ := newTestUIWith(t, s, Options{OAuth: store})
	signedIn(t, u, store, "Gmail", oauth.ProviderGoogle, "pop.gmail.com")
	p := u.app.Preferences()
	p.SetString(prefHost, "imap.elsewhere.example") // the last copy's
	p.SetInt(prefSecurity, 2)
	p.SetString(prefUser, "someone")
	ui(func() {
		u.selected = "Gmail"
		f := u.showRestoreDialog()
		signIn := func() string { return f.signIn.Selected }
		if f.host.Text != "imap.elsewhere.example" || f.signIn.SelectedIndex() != 0 || !strings.Contains(f.signInNote.Text, "goes only to Google's mail servers") {
			t.Errorf("the last copy's server put back: %q, sign in with %q, note %q", f.host.Text, signIn(), f.signInNote.Text)
		}
		f.preset.SetSelected("Gmail")
		f.signIn.SetSelectedIndex(1)
		if signIn() != "The sign-in of Gmail" || f.signInNote.Visible() {
			t.Errorf("Gmail's server: sign in with %q, note %q", signIn(), f.signInNote.Text)
		}
		test.Type(f.host, "x")
		if f.signIn.SelectedIndex() != 0 || !strings.Contains(f.signInNote.Text, "never to "+f.host.Text) {
			t.Errorf("another server typed: sign in with %q, note %q", signIn(), f.signInNote.Text)
		}
		f.host.SetText("imap.gmail.com")
		f.signIn.SetSelectedIndex(1)
		f.security.SetSelectedIndex(2)
		if f.signIn.SelectedIndex() != 0 || !strings.Contains(f.signInNote.Text, "unencrypted") {
			t.Errorf("no encryption: sign in with %q, note %q", signIn(), f.signInNote.Text)
		}
		// Whatever the form shows, what Copy sends is checked again.
		f.security.SetSelectedIndex(0)
		f.signIn.SetSelectedIndex(1)
		t0, err := f.target()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.credentials(t0); err != nil {
			t.Errorf("to imap.gmail.com: %v", err)
		}
		t0.Host = "imap.elsewhere.example"
		if _, err := f.credentials(t0); !errors.Is(err, credentials.ErrTokenHost) {
			t.Errorf("to another server: %v", err)
		}
	})
}

// A second Gmail account is not named as the first; a sign-in for a new
// account whose name is taken is refused before the browser opens; a
// sign-in made is held in the dialog, so Cancel leaves nothing stored and
// the first account's sign-in as it was.
func TestNewSignInLeavesExisting(t *testing.T) {
	tokens, clientsFile := &credentials.MemorySecrets{}, filepath.Join(t.TempDir(), "clients.json")
	p, s, store, browser := googleForTest(t, tokens, clientsFile)
	u, w := newTestUIWith(t, s, Options{OAuth: store, OpenURL: browser})
	first := signedIn(t, u, store, "Gmail", oauth.ProviderGoogle, "pop.gmail.com")
	kept, _ := tokens.Get(credentials.Key(first))
	var f *accountForm
	ui(func() {
		f = u.showAccountDialog(nil)
		test.Type(f.email, "alice2@gmail.com")
		if f.name.Text == "Gmail" || f.name.Text == "" {
			t.Errorf("the second Gmail account is named %q", f.name.Text)
		}
		f.auth.SetSelectedIndex(1)
		if err := f.oauth.importFile([]byte(googleClientFile)); err != nil {
			t.Error(err)
		}
		f.name.SetText("Gmail")
		test.Tap(f.oauth.signIn)
		if !strings.Contains(f.oauth.status.Text, "exists") || p.Count("authorize") != 0 {
			t.Errorf("a sign-in under a name in use: %q, %d consent pages", f.oauth.status.Text, p.Count("authorize"))
		}
		f.name.SetText("Gmail work")
		// Not signed in yet: Test connection uses no sign-in kept for
		// another account.
		test.Tap(f.test)
		if !strings.HasPrefix(f.result.Text, "Sign in first") {
			t.Errorf("Test connection before signing in: %q", f.result.Text)
		}
		test.Tap(f.oauth.signIn)
	})
	eventually(t, "signed in", func() bool { return strings.HasPrefix(f.oauth.status.Text, "Signed in") })
	tap(t, w, "Cancel")
	if now, _ := tokens.Get(credentials.Key(first)); now != kept {
		t.Fatal("the first account's sign-in changed")
	}
	if c, err := store.Client(first); err != nil || c.ClientID != "popvault-test.apps.googleusercontent.com" {
		t.Fatalf("the first account's client: %+v, %v", c, err)
	}
	for _, name := range []string{"Gmail", "Gmail work"} {
		if _, err := tokens.Get(name); err == nil {
			t.Fatalf("a sign-in kept under %q before Save", name)
		}
	}
	var clients map[string]string
	b, _ := os.ReadFile(clientsFile)
	if json.Unmarshal(b, &clients); len(clients) != 1 || clients[credentials.Key(first)] == "" {
		t.Fatalf("sign-ins kept: %s", b)
	}
}

// Removing an account in the window forgets everything it signs in with
// on this machine, as the command line does: its OAuth client and token,
// a password and a token command it had before.
func TestRemoveForgetsSignIn(t *testing.T) {
	_, s, store, _ := googleForTest(t, &credentials.MemorySecrets{}, filepath.Join(t.TempDir(), "clients.json"))
	commands := credentials.NewTokenCommands(filepath.Join(t.TempDir(), "commands.json"))
	u, w := newTestUIWith(t, s, Options{OAuth: store, TokenCommands: commands})
	a := signedIn(t, u, store, "Gmail", oauth.ProviderGoogle, "pop.gmail.com")
	credentials.SetPassword(u.secrets, a, "an app password from before")
	commands.Set(a, "echo token")
	ui(func() { u.confirmRemove("Gmail") })
	tap(t, w, "Remove, keep its mail")
	eventually(t, "the account gone", func() bool { return len(u.accounts) == 0 })
	_, cerr := store.Client(a)
	_, perr := credentials.Password(u.secrets, a)
	_, terr := commands.Get(a)
	if !errors.Is(cerr, fetch.ErrNotSignedIn) || !errors.Is(perr, credentials.ErrNoSecret) || !errors.Is(terr, credentials.ErrNoSecret) {
		t.Fatalf("outlived the account: sign-in %v, password %v, token command %v", cerr, perr, terr)
	}
}
