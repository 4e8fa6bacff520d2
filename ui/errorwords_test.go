package ui

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"popvault/archive"
	"popvault/bearer"
	"popvault/credentials"
	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/health"
	"popvault/health/healthtest"
)

// TestRefusalsInWords: real servers' refusals, as each words it after a
// wrong password (or with POP switched off), read by the real client from
// a test server that plays them, become a sentence naming the account
// and the fix that helps.
func TestRefusalsInWords(t *testing.T) {
	tests := map[string]struct {
		refusal string
		oauth   bool
		words   string
		fix     health.FixKind
		action  string
	}{
		"Dovecot":           {"[AUTH] Authentication failed.", false, "Old ISP refused the password", health.FixPassword, "Change password…"},
		"Gmail":             {"[AUTH] Username and password not accepted.", false, "Old ISP refused the password", health.FixPassword, "Change password…"},
		"Outlook":           {"Logon failure: unknown user name or bad password.", false, "Old ISP refused the password", health.FixPassword, "Change password…"},
		"Courier":           {"Login failed.", false, "Old ISP refused the password", health.FixPassword, "Change password…"},
		"Outlook (a token)": {"Authentication failure: unknown user name or bad password.", true, "Old ISP refused the sign-in", health.FixSignIn, "Sign in again"},
		"Gmail without POP": {"[SYS/PERM] Your account is not enabled for POP access. Please visit your Gmail settings page and enable your account for POP access.",
			false, "Gmail has POP turned off for Old ISP", health.FixProvider, "Turn POP on at Gmail"},
		"Outlook without POP": {"User is authenticated but not connected.", false, "Outlook.com has POP turned off for Old ISP", health.FixProvider, "Turn POP on at Outlook.com"},
		"Gmail wanting an app password": {"[AUTH] Application-specific password required: https://support.google.com/accounts/answer/185833",
			false, "Gmail wants an app password for Old ISP", health.FixPassword, "Change password…"},
		"Dovecot, busy": {"[SYS/TEMP] Temporary authentication failure", false, "Old ISP's server is busy", health.FixNone, ""},
		"locked":        {"[IN-USE] Mailbox is locked by another POP3 session", false, "Another program is reading Old ISP's mail", health.FixNone, ""},
	}
	for name, c := range tests {
		t.Run(name, func(t *testing.T) {
			s := pop3test.NewTLSServer(pop3test.Config{Refusal: c.refusal})
			defer s.Close()
			arch, err := archive.Open(filepath.Join(t.TempDir(), "a.db"), &archive.Options{NoFullText: true})
			if err != nil {
				t.Fatal(err)
			}
			defer arch.Close()
			port, _ := strconv.Atoi(s.Addr[strings.LastIndexByte(s.Addr, ':')+1:])
			acct := fetch.Account{Name: "Old ISP", ID: "1", Host: "127.0.0.1", Port: port, User: "alice", KeepOnServer: true}
			secrets := &credentials.MemorySecrets{}
			credentials.SetPassword(secrets, acct, "wrong")
			var in fetch.SignIn = &credentials.Store{Passwords: secrets}
			if c.oauth {
				acct.TokenAuth = true
				in = tokenSignIn("wrong")
			}
			f := &fetch.Fetcher{Archive: arch, Secrets: in, RootCAs: s.CertPool()}
			r := f.Fetch(context.Background(), acct)
			if r.Err == nil {
				t.Fatal("the server took the password")
			}
			e := explainFetch(acct, r.Err)
			if !strings.HasPrefix(e.words, c.words) || e.fix != c.fix || e.action != c.action {
				t.Fatalf("%q → %q, fix %v %q; want %q…, %v %q", r.Err, e.words, e.fix, e.action, c.words, c.fix, c.action)
			}
			if !strings.Contains(e.detail, strings.TrimSuffix(c.refusal, ".")) || strings.Contains(e.words+e.detail, "wrong") {
				t.Fatalf("details %q: the server's words, and never the password", e.detail)
			}
		})
	}
}

// TestWindowSaysAsStatus: each failure of the shared table is said in
// the window as the table says (the sentence beside the account, a
// button for its kind of fix, the server's words behind Details), and
// the account's record, which status and notifications read, says the
// same failure with the same fix.
func TestWindowSaysAsStatus(t *testing.T) {
	actions := map[health.FixKind]string{health.FixPassword: "Change password…", health.FixSignIn: "Sign in again", health.FixSettings: "Check the settings…"}
	for _, c := range healthtest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			e := explainFetch(c.Account, c.Err)
			if e.words != c.Sentence || e.fix != c.Kind {
				t.Errorf("the window says %q, fix %d; want %q, %d", e.words, e.fix, c.Sentence, c.Kind)
			}
			switch want := actions[c.Kind]; {
			case c.Kind == health.FixProvider:
				if e.link != c.Command || e.action == "" {
					t.Errorf("button %q to %q; want one to %q", e.action, e.link, c.Command)
				}
			case e.action != want:
				t.Errorf("button %q, want %q", e.action, want)
			}
			if c.ServerSaid != "" && e.detail != c.ServerSaid {
				t.Errorf("Details %q, want the server's words %q", e.detail, c.ServerSaid)
			}
			var rec health.Record
			rec.Add(c.Account, fetch.Result{Account: c.Account.Name, Err: c.Err}, time.Now())
			if rec.Words != c.Words || !strings.Contains(rec.Fix, c.Command) {
				t.Errorf("status says %q, fix %q; want %q and %q", rec.Words, rec.Fix, c.Words, c.Command)
			}
		})
	}
}

// TestUnseenFailureSaidAsOwn: a failure the window did not see (a
// scheduled run's, kept in the account's record) is said beside the
// account as the window's own fetch would say it, with the same button
// and the server's words behind Details.
func TestUnseenFailureSaidAsOwn(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: testMail})
	defer s.Close()
	u, _ := newTestUI(t, s)
	addAccount(t, u, s, "home", "secret")
	c := healthtest.Cases()[0] // a refused password
	c.Account.Name = "home"
	if err := health.Change(u.arch, "home", func(r *health.Record) {
		r.Add(c.Account, fetch.Result{Account: "home", Err: c.Err}, time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	ui(u.loadHealth)
	eventually(t, "the failure beside the account, with its fix", func() bool {
		e := u.fixes["home"]
		return u.problems["home"] == "home refused the password" && e.action == "Change password…" && e.detail == c.ServerSaid
	})
}

// tokenSignIn signs in with a fixed token, as a token command would.
type tokenSignIn string

func (tokenSignIn) Password(context.Context, fetch.Account) (string, error) { return "", nil }
func (s tokenSignIn) Token(context.Context, fetch.Account, bearer.Freshness) (string, error) {
	return string(s), nil
}
