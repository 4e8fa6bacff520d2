package archive

import (
	"errors"
	"testing"
)

// TestServer: what fetches learnt of an account's server is kept beside
// its settings, replaced, forgotten with nil, and goes with the account;
// an account without settings has none and takes none.
func TestServer(t *testing.T) {
	a := openTemp(t)
	acct := a.Account("home")
	if err := acct.PutServer([]byte(`{"caps":{}}`)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("an account without settings took a server record: %v", err)
	}
	if err := acct.PutSettings([]byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		put, want string
		forget    bool
	}{
		{put: `{"caps":{"PIPELINING":[]}}`, want: `{"caps":{"PIPELINING":[]}}`},
		{put: `{"caps":{}}`, want: `{"caps":{}}`},
		{forget: true, want: ""},
	}
	for _, s := range steps {
		var put []byte
		if !s.forget {
			put = []byte(s.put)
		}
		if err := acct.PutServer(put); err != nil {
			t.Fatal(err)
		}
		got, err := acct.Server()
		if err != nil || string(got) != s.want || (s.forget && got != nil) {
			t.Fatalf("after putting %q: %q, %v; want %q", s.put, got, err, s.want)
		}
	}
	if settings, _ := acct.Settings(); string(settings) != `{}` {
		t.Fatalf("settings changed to %q", settings)
	}
	acct.PutServer([]byte(`{"caps":{}}`))
	if err := acct.Remove(KeepMail); err != nil {
		t.Fatal(err)
	}
	acct.PutSettings([]byte(`{}`)) // added again under the same name
	if got, err := acct.Server(); err != nil || got != nil {
		t.Fatalf("a new account of an old name has %q, %v", got, err)
	}
}
