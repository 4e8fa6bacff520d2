package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"popvault/archive"
	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/oauth"
	"popvault/oauth/oauthtest"
)

// savedBeforeIDs stores an account's settings as a popvault without
// account ids wrote them.
func savedBeforeIDs(t *testing.T, a *archive.Archive, acct fetch.Account) {
	t.Helper()
	b, err := json.Marshal(acct)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	delete(m, "id")
	delete(m, "name_keyed")
	b, _ = json.Marshal(m)
	if err := a.Account(acct.Name).PutSettings(b); err != nil {
		t.Fatal(err)
	}
}

// Two archives, each with an account "home" on a server of its own with
// a password of its own. The first is from before account ids: its
// password is kept under the bare name. Adding "home" to the second
// keeps that one's password apart, and both go on fetching.
func TestPasswordsKeptPerArchive(t *testing.T) {
	first := pop3test.NewTLSServer(pop3test.Config{Messages: smallCorpus(2)})
	defer first.Close()
	second := pop3test.NewTLSServer(pop3test.Config{User: "alice", Password: "another", Messages: smallCorpus(3)})
	defer second.Close()
	secrets := &MemorySecrets{} // the one keyring of this machine's user
	archA, archB := openArchive(t), openArchive(t)
	savedBeforeIDs(t, archA, accountOn(first, "home"))
	secrets.Set("home", "secret")

	// The second archive's "home", added as the window and the command
	// line add accounts.
	homeB := accountOn(second, "home")
	homeB.ID = fetch.NewAccountID()
	if err := SetPassword(secrets, homeB, "another"); err != nil {
		t.Fatal(err)
	}
	if err := fetch.AddAccount(archB, homeB); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		arch *archive.Archive
		s    *pop3test.Server
		want int
	}{{archA, first, 2}, {archB, second, 3}} {
		accts, err := fetch.LoadAccounts(tt.arch)
		if err != nil || len(accts) != 1 {
			t.Fatalf("%v, %v", accts, err)
		}
		f := &fetch.Fetcher{Archive: tt.arch, Secrets: &Store{Passwords: secrets}, RootCAs: tt.s.CertPool()}
		if r := f.Fetch(context.Background(), accts[0]); r.Err != nil || r.New != tt.want {
			t.Fatalf("%s (%v): %+v", Key(accts[0]), accts[0].NameKeyed, r)
		}
	}
	a, _ := fetch.LoadAccount(archA, "home")
	b, _ := fetch.LoadAccount(archB, "home")
	if Key(a) == Key(b) || !a.NameKeyed || b.NameKeyed || a.ID == "" {
		t.Fatalf("keys %q (name-keyed %v) and %q (%v)", Key(a), a.NameKeyed, Key(b), b.NameKeyed)
	}
	// Copied, not moved: another archive from before ids may read it.
	if pw, err := secrets.Get("home"); err != nil || pw != "secret" {
		t.Fatalf("the entry under the bare name: %q, %v", pw, err)
	}
	if pw, err := secrets.Get(Key(a)); err != nil || pw != "secret" {
		t.Fatalf("the entry under the first archive's key: %q, %v", pw, err)
	}
}

// Removing an account forgets everything it signs in with on this
// machine, whichever way it signs in: password, token command, OAuth
// client and token; for an account from before ids, the entries under
// its bare name too. Another account's stay.
func TestForget(t *testing.T) {
	p := oauthtest.NewServer("popvault-test", "app-secret")
	defer p.Close()
	dir := t.TempDir()
	passwords, tokens := &MemorySecrets{}, &MemorySecrets{}
	creds := &Store{Passwords: passwords, TokenCommands: NewTokenCommands(filepath.Join(dir, "commands.json")),
		OAuth: NewOAuthStore(OAuthStoreOptions{ClientsFile: filepath.Join(dir, "clients.json"), Tokens: tokens})}
	tok, err := oauth.SignIn(context.Background(), p.Client(), oauth.SignInOptions{Open: p.Browser})
	if err != nil {
		t.Fatal(err)
	}
	keep := func(acct fetch.Account) {
		SetPassword(passwords, acct, "pw")
		creds.TokenCommands.Set(acct, "echo token")
		if err := creds.OAuth.Save(acct, NewSignIn(p.Client(), tok)); err != nil {
			t.Fatal(err)
		}
	}
	gone := fetch.Account{Name: "home", ID: fetch.NewAccountID(), NameKeyed: true, OAuth: oauth.ProviderCustom, Host: "127.0.0.1"}
	other := fetch.Account{Name: "work", ID: fetch.NewAccountID(), OAuth: oauth.ProviderCustom, Host: "127.0.0.1"}
	keep(gone)
	keep(other)
	keep(fetch.Account{Name: "home"}) // what a popvault without ids kept
	if err := creds.Forget(gone); err != nil {
		t.Fatal(err)
	}
	clients, _ := os.ReadFile(filepath.Join(dir, "clients.json"))
	commands, _ := os.ReadFile(filepath.Join(dir, "commands.json"))
	for _, key := range []string{Key(gone), "home"} {
		_, perr := passwords.Get(key)
		_, terr := tokens.Get(key)
		if !errors.Is(perr, ErrNoSecret) || !errors.Is(terr, ErrNoSecret) || strings.Contains(string(clients), `"`+key+`"`) || strings.Contains(string(commands), `"`+key+`"`) {
			t.Fatalf("%s outlived the account: password %v, token %v\n%s\n%s", key, perr, terr, clients, commands)
		}
	}
	if _, err := creds.OAuth.Client(gone); !errors.Is(err, fetch.ErrNotSignedIn) {
		t.Fatalf("the sign-in outlived the account: %v", err)
	}
	if pw, err := Password(passwords, other); err != nil || pw != "pw" {
		t.Fatalf("another account's password: %q, %v", pw, err)
	}
	if _, err := creds.OAuth.Client(other); err != nil {
		t.Fatalf("another account's sign-in: %v", err)
	}
	if cmd, err := creds.TokenCommands.Get(other); err != nil || cmd != "echo token" {
		t.Fatalf("another account's token command: %q, %v", cmd, err)
	}
}

// Switching from a token command to a password forgets the command; one
// that cannot be forgotten is said, not dropped. The same way of signing
// in touches nothing.
func TestForgetReplaced(t *testing.T) {
	path := filepath.Join(t.TempDir(), "commands.json")
	creds := &Store{Passwords: &MemorySecrets{}, TokenCommands: NewTokenCommands(path)}
	before := fetch.Account{Name: "t", ID: fetch.NewAccountID(), TokenAuth: true}
	creds.TokenCommands.Set(before, "echo token")
	after := before
	after.TokenAuth = false
	if err := creds.ForgetReplaced(before, before); err != nil {
		t.Fatal(err)
	}
	if _, err := creds.TokenCommands.Get(before); err != nil {
		t.Fatalf("the same way of signing in lost its command: %v", err)
	}
	os.WriteFile(path, []byte("{damaged"), 0o600)
	err := creds.ForgetReplaced(before, after)
	if err == nil || !strings.Contains(err.Error(), "deleting the token command of t") {
		t.Fatalf("a command not deleted: %v", err)
	}
	os.Remove(path)
	creds.TokenCommands.Set(before, "echo token")
	if err := creds.ForgetReplaced(before, after); err != nil {
		t.Fatal(err)
	}
	if _, err := creds.TokenCommands.Get(before); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("the command outlived the switch: %v", err)
	}
}
