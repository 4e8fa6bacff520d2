package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/oauth"
	"popvault/oauth/oauthtest"
)

// A Gmail account added from the window with no password typed: the
// Google preset, the client file imported, "Sign in with Google" (a test
// plays the browser), Test connection, Save and Fetch; a day later it
// fetches again with no prompt; once the sign-in is revoked, the account
// says so and its "Sign in again" button mends it.
func TestSignInWithGoogle(t *testing.T) {
	p := oauthtest.NewServer("popvault-test.apps.googleusercontent.com", "GOCSPX-test-secret")
	defer p.Close()
	s := pop3test.NewTLSServer(pop3test.Config{User: "alice@gmail.com", Messages: testMail, ValidToken: p.Valid})
	defer s.Close()
	dir := t.TempDir()
	store := fetch.NewOAuthStore(fetch.OAuthStoreOptions{ClientsFile: filepath.Join(dir, "clients.json"), Tokens: &fetch.MemorySecrets{}})
	u, w := newTestUIWith(t, s, Options{OAuth: store, OpenURL: p.Browser})
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	clientFile := `{"installed":{"client_id":"popvault-test.apps.googleusercontent.com","client_secret":"GOCSPX-test-secret",` +
		`"auth_uri":"` + p.URL + `/authorize","token_uri":"` + p.URL + `/token","redirect_uris":["http://localhost"]}}`

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
		if err := f.oauth.importFile([]byte(clientFile)); err != nil {
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
		return u.needsSignIn["Gmail"] && strings.HasPrefix(u.problems["Gmail"], "Sign in again")
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
