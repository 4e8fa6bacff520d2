package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"popvault/archive"
	"popvault/fetch/pop3test"
	"popvault/oauth"
	"popvault/oauth/oauthtest"
)

// savedBeforeIDs stores an account's settings as a popvault without
// account ids wrote them.
func savedBeforeIDs(t *testing.T, a *archive.Archive, acct Account) {
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
	if err := a.PutSettings(acct.Name, b); err != nil {
		t.Fatal(err)
	}
}

// accountOn is an account named name on s.
func accountOn(s *pop3test.Server, name string) Account {
	port, _ := strconv.Atoi(s.Addr[strings.LastIndexByte(s.Addr, ':')+1:])
	return Account{Name: name, Host: "127.0.0.1", Port: port, Security: SecurityTLS, User: "alice", KeepOnServer: true}
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
	homeB.ID = NewAccountID()
	if err := SetPassword(secrets, homeB, "another"); err != nil {
		t.Fatal(err)
	}
	if err := AddAccount(archB, homeB); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		arch *archive.Archive
		s    *pop3test.Server
		want int
	}{{archA, first, 2}, {archB, second, 3}} {
		accts, err := LoadAccounts(tt.arch)
		if err != nil || len(accts) != 1 {
			t.Fatalf("%v, %v", accts, err)
		}
		f := &Fetcher{Archive: tt.arch, Secrets: secrets, RootCAs: tt.s.CertPool()}
		if r := f.Fetch(context.Background(), accts[0]); r.Err != nil || r.New != tt.want {
			t.Fatalf("%s (%v): %+v", accts[0].Key(), accts[0].NameKeyed, r)
		}
	}
	a, _ := LoadAccount(archA, "home")
	b, _ := LoadAccount(archB, "home")
	if a.Key() == b.Key() || !a.NameKeyed || b.NameKeyed || a.ID == "" {
		t.Fatalf("keys %q (name-keyed %v) and %q (%v)", a.Key(), a.NameKeyed, b.Key(), b.NameKeyed)
	}
	// Copied, not moved: another archive from before ids may read it.
	if pw, err := secrets.Get("home"); err != nil || pw != "secret" {
		t.Fatalf("the entry under the bare name: %q, %v", pw, err)
	}
	if pw, err := secrets.Get(a.Key()); err != nil || pw != "secret" {
		t.Fatalf("the entry under the first archive's key: %q, %v", pw, err)
	}
}

// An account saved before ids is given one once, when first read, and
// keeps it; its settings are otherwise left as they were; an archive
// opened read-only gives none (the account's secrets are looked for
// under its name, as before). An edit that does not say the id keeps the
// stored one, and adding a name in use is refused without touching it.
func TestAccountIDs(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	arch, err := archive.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	savedBeforeIDs(t, arch, Account{Name: "home", Host: "pop.example.org", User: "me", KeepOnServer: true})
	raw, _ := arch.Settings("home")
	var old map[string]json.RawMessage
	json.Unmarshal(raw, &old)
	first, err := LoadAccount(arch, "home")
	if err != nil || first.ID == "" || !first.NameKeyed {
		t.Fatalf("%+v, %v", first, err)
	}
	again, _ := LoadAccount(arch, "home")
	raw, _ = arch.Settings("home")
	var now map[string]json.RawMessage
	json.Unmarshal(raw, &now)
	for k, v := range old {
		if string(now[k]) != string(v) {
			t.Errorf("%s changed from %s to %s", k, v, now[k])
		}
	}
	if again.ID != first.ID || len(now) != len(old)+2 {
		t.Fatalf("read again: %q, was %q; %s", again.ID, first.ID, raw)
	}
	edit := first
	edit.ID, edit.NameKeyed, edit.Host = "", false, "pop2.example.org"
	if err := SaveAccount(arch, edit); err != nil {
		t.Fatal(err)
	}
	if edited, _ := LoadAccount(arch, "home"); edited.Key() != first.Key() || !edited.NameKeyed || edited.Host != "pop2.example.org" {
		t.Fatalf("after an edit: %+v", edited)
	}
	if err := AddAccount(arch, Account{Name: "home", Host: "evil.example", User: "x"}); !errors.Is(err, ErrAccountExists) {
		t.Fatalf("added over an account: %v", err)
	}
	if kept, _ := LoadAccount(arch, "home"); kept.Host != "pop2.example.org" || kept.ID != first.ID {
		t.Fatalf("what adding the same name left: %+v", kept)
	}
	savedBeforeIDs(t, arch, Account{Name: "old", Host: "pop.example.org", User: "me"})
	arch.Close()

	ro, err := archive.Open(path, &archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if acct, err := LoadAccount(ro, "old"); err != nil || acct.ID != "" || acct.Key() != "old" {
		t.Fatalf("read-only: %+v, %v", acct, err)
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
	creds := Credentials{Passwords: passwords, TokenCommands: NewTokenCommands(filepath.Join(dir, "commands.json")),
		OAuth: NewOAuthStore(OAuthStoreOptions{ClientsFile: filepath.Join(dir, "clients.json"), Tokens: tokens})}
	tok, err := oauth.SignIn(context.Background(), p.Client(), oauth.SignInOptions{Open: p.Browser})
	if err != nil {
		t.Fatal(err)
	}
	keep := func(acct Account) {
		SetPassword(passwords, acct, "pw")
		creds.TokenCommands.Set(acct, "echo token")
		if err := creds.OAuth.Save(acct, NewSignIn(p.Client(), tok)); err != nil {
			t.Fatal(err)
		}
	}
	gone := Account{Name: "home", ID: NewAccountID(), NameKeyed: true, OAuth: oauth.ProviderCustom, Host: "127.0.0.1"}
	other := Account{Name: "work", ID: NewAccountID(), OAuth: oauth.ProviderCustom, Host: "127.0.0.1"}
	keep(gone)
	keep(other)
	keep(Account{Name: "home"}) // what a popvault without ids kept
	if err := creds.Forget(gone); err != nil {
		t.Fatal(err)
	}
	clients, _ := os.ReadFile(filepath.Join(dir, "clients.json"))
	commands, _ := os.ReadFile(filepath.Join(dir, "commands.json"))
	for _, key := range []string{gone.Key(), "home"} {
		_, perr := passwords.Get(key)
		_, terr := tokens.Get(key)
		if !errors.Is(perr, ErrNoSecret) || !errors.Is(terr, ErrNoSecret) || strings.Contains(string(clients), `"`+key+`"`) || strings.Contains(string(commands), `"`+key+`"`) {
			t.Fatalf("%s outlived the account: password %v, token %v\n%s\n%s", key, perr, terr, clients, commands)
		}
	}
	if _, err := creds.OAuth.Client(gone); !errors.Is(err, ErrNotSignedIn) {
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
	creds := Credentials{Passwords: &MemorySecrets{}, TokenCommands: NewTokenCommands(path)}
	before := Account{Name: "t", ID: NewAccountID(), TokenAuth: true}
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
