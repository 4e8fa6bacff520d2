package ui

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"popvault/archive"
	"popvault/bearer"
	"popvault/credentials"
	"popvault/fetch"
	"popvault/fetch/pop3test"
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
		fix     fixKind
		action  string
	}{
		"Dovecot":           {"[AUTH] Authentication failed.", false, "Old ISP refused the password", fixPassword, "Change password…"},
		"Gmail":             {"[AUTH] Username and password not accepted.", false, "Old ISP refused the password", fixPassword, "Change password…"},
		"Outlook":           {"Logon failure: unknown user name or bad password.", false, "Old ISP refused the password", fixPassword, "Change password…"},
		"Courier":           {"Login failed.", false, "Old ISP refused the password", fixPassword, "Change password…"},
		"Outlook (a token)": {"Authentication failure: unknown user name or bad password.", true, "Old ISP refused the sign-in", fixSignIn, "Sign in again"},
		"Gmail without POP": {"[SYS/PERM] Your account is not enabled for POP access. Please visit your Gmail settings page and enable your account for POP access.",
			false, "Gmail has POP turned off for Old ISP", fixProvider, "Turn POP on at Gmail"},
		"Outlook without POP": {"User is authenticated but not connected.", false, "Outlook.com has POP turned off for Old ISP", fixProvider, "Turn POP on at Outlook.com"},
		"Gmail wanting an app password": {"[AUTH] Application-specific password required: https://support.google.com/accounts/answer/185833",
			false, "Gmail wants an app password for Old ISP", fixPassword, "Change password…"},
		"Dovecot, busy": {"[SYS/TEMP] Temporary authentication failure", false, "Old ISP's server is busy", fixNothing, ""},
		"locked":        {"[IN-USE] Mailbox is locked by another POP3 session", false, "Another program is reading Old ISP's mail", fixNothing, ""},
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

// tokenSignIn signs in with a fixed token, as a token command would.
type tokenSignIn string

func (tokenSignIn) Password(context.Context, fetch.Account) (string, error) { return "", nil }
func (s tokenSignIn) Token(context.Context, fetch.Account, bearer.Freshness) (string, error) {
	return string(s), nil
}
