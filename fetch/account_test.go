package fetch

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"popvault/archive"
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
	if err := a.Account(acct.Name).PutSettings(b); err != nil {
		t.Fatal(err)
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
	raw, _ := arch.Account("home").Settings()
	var old map[string]json.RawMessage
	json.Unmarshal(raw, &old)
	first, err := LoadAccount(arch, "home")
	if err != nil || first.ID == "" || !first.NameKeyed {
		t.Fatalf("%+v, %v", first, err)
	}
	again, _ := LoadAccount(arch, "home")
	raw, _ = arch.Account("home").Settings()
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
	if edited, _ := LoadAccount(arch, "home"); edited.ID != first.ID || !edited.NameKeyed || edited.Host != "pop2.example.org" {
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
	if acct, err := LoadAccount(ro, "old"); err != nil || acct.ID != "" || acct.NameKeyed {
		t.Fatalf("read-only: %+v, %v", acct, err)
	}
}

// WithDefaults fills in what a person may leave out and checks nothing;
// Check says what is wrong and fills in nothing.
func TestAccountDefaultsAndCheck(t *testing.T) {
	given := Account{Name: " home ", Host: " pop.example.org ", User: " me ", TokenCommand: "oauth2l fetch"}
	got := given.WithDefaults()
	want := Account{Name: "home", Host: "pop.example.org", User: "me", TokenCommand: "oauth2l fetch", TokenAuth: true, Security: SecurityTLS, Port: 995}
	if got != want {
		t.Fatalf("WithDefaults: %+v, want %+v", got, want)
	}
	if plain := (Account{Security: SecurityStartTLS}).WithDefaults(); plain.Port != 110 {
		t.Fatalf("STARTTLS's port: %d", plain.Port)
	}
	if given.Name != " home " || given.Port != 0 {
		t.Fatal("WithDefaults changed its receiver")
	}
	ok := want
	for name, tt := range map[string]struct {
		change func(*Account)
		want   string // in the error; empty: no error
	}{
		"as filled in":               {func(*Account) {}, ""},
		"no name":                    {func(a *Account) { a.Name = "  " }, "needs a name"},
		"no server":                  {func(a *Account) { a.Host = "" }, "needs a server"},
		"no user":                    {func(a *Account) { a.User = "" }, "needs a user name"},
		"a line break":               {func(a *Account) { a.User = "me\r\nDELE 1" }, "line breaks"},
		"negative days":              {func(a *Account) { a.DeleteAfterDays = -1 }, "cannot be negative"},
		"a relative CA file":         {func(a *Account) { a.CAFile = "ca.pem" }, "not a full path"},
		"an unknown OAuth provider":  {func(a *Account) { a.TokenAuth, a.TokenCommand, a.OAuth = false, "", "yahoo" }, "not google"},
		"OAuth and a token command":  {func(a *Account) { a.TokenAuth, a.OAuth = false, "google" }, "not both"},
		"no security, not filled in": {func(a *Account) { a.Security = "" }, "security"},
		"an unknown security":        {func(a *Account) { a.Security = "ssl" }, "security"},
		"no port, not filled in":     {func(a *Account) { a.Port = 0 }, "out of range"},
		"recent: deleting":           {func(a *Account) { a.User, a.KeepOnServer = "recent:me", false }, "recent: mode"},
	} {
		a := ok
		tt.change(&a)
		err := a.Check()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: %v, want %q", name, err, tt.want)
		}
	}
}
