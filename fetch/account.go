// Package fetch is popvault's sync engine: for each account it downloads
// what the archive does not hold yet, stores it durably, and only then,
// when the account says so, deletes it from the server. A message is
// marked for deletion only after the commit that stored it has returned
// (fsync), and the server deletes nothing until QUIT succeeds, so a crash,
// kill or dropped connection at any moment loses nothing and duplicates
// nothing.
package fetch

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"popvault/archive"
	"popvault/oauth"
)

// Security is how an account's connection is protected.
type Security string

const (
	SecurityTLS      Security = "tls"      // implicit TLS, port 995
	SecurityStartTLS Security = "starttls" // STLS on port 110; never falls back
	SecurityPlain    Security = "plain"    // no encryption: the password travels in clear
)

// Account is one POP account's settings. It never holds the password,
// which lives in [Secrets].
type Account struct {
	Name     string   `json:"name"`
	Email    string   `json:"email,omitempty"`
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	Security Security `json:"security"`
	User     string   `json:"user"`
	CAFile   string   `json:"ca_file,omitempty"` // extra trusted CA (PEM), for self-hosted servers

	// KeepOnServer leaves mail on the server after download (the default).
	// DeleteAfterDays, with it, deletes a message that many days after it
	// was first stored; zero means never.
	KeepOnServer    bool `json:"keep"`
	DeleteAfterDays int  `json:"delete_after_days,omitempty"`

	CheckEveryMinutes int      `json:"check_every_minutes,omitempty"` // 0: only on demand
	Timeout           Duration `json:"timeout,omitempty"`             // silence before giving up; 0 means 60 s

	// TokenAuth signs in with XOAUTH2, with the access token a command
	// prints (for example oauth2l, or a script). The command itself is
	// TokenCommand, kept on this machine by [TokenCommands] and never in
	// the archive.
	TokenAuth    bool   `json:"token_auth,omitempty"`
	TokenCommand string `json:"-"`

	// OAuth signs in with OAuth 2.0 at this provider ("google",
	// "microsoft" or "custom"), with no password. The sign-in itself (the
	// client and the tokens) is kept on this machine by [OAuthStore].
	OAuth string `json:"oauth,omitempty"`
}

// Duration is a time.Duration that reads and writes as "60s".
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	*d = Duration(v)
	return err
}

// DefaultPort is the port for a security mode.
func DefaultPort(s Security) int {
	if s == SecurityTLS {
		return 995
	}
	return 110
}

// Validate checks the settings and fills in defaults.
func (a *Account) Validate() error {
	a.Name, a.Host, a.User = strings.TrimSpace(a.Name), strings.TrimSpace(a.Host), strings.TrimSpace(a.User)
	switch {
	case a.Name == "":
		return errors.New("fetch: the account needs a name")
	case a.Host == "":
		return errors.New("fetch: the account needs a server")
	case a.User == "":
		return errors.New("fetch: the account needs a user name")
	case strings.ContainsAny(a.Name+a.Host+a.User, "\r\n\x00"):
		return errors.New("fetch: settings may not hold line breaks")
	case a.DeleteAfterDays < 0:
		return errors.New("fetch: delete-after days cannot be negative")
	case a.CAFile != "" && !filepath.IsAbs(a.CAFile):
		// Read relative to wherever a later fetch runs, it would name
		// another file or none.
		return fmt.Errorf("fetch: the CA file %q is not a full path; give it as one (popvault account edit --ca-file does)", a.CAFile)
	}
	if a.TokenCommand != "" {
		a.TokenAuth = true
	}
	switch {
	case a.OAuth != "" && a.OAuth != oauth.ProviderGoogle && a.OAuth != oauth.ProviderMicrosoft && a.OAuth != oauth.ProviderCustom:
		return fmt.Errorf("fetch: OAuth provider %q is not google, microsoft or custom", a.OAuth)
	case a.OAuth != "" && a.TokenAuth:
		return errors.New("fetch: an account signs in with OAuth or with a token command, not both")
	}
	if a.Security == "" {
		a.Security = SecurityTLS
	}
	if a.Security != SecurityTLS && a.Security != SecurityStartTLS && a.Security != SecurityPlain {
		return fmt.Errorf("fetch: security %q is not tls, starttls or plain", a.Security)
	}
	if a.Port == 0 {
		a.Port = DefaultPort(a.Security)
	}
	if a.Port < 1 || a.Port > 65535 {
		return fmt.Errorf("fetch: port %d is out of range", a.Port)
	}
	if a.IsRecentMode() && !a.KeepOnServer {
		return errors.New("fetch: Gmail's recent: mode lists mail already fetched; it must keep mail on the server")
	}
	return nil
}

// IsGmail reports whether the account is Gmail's POP service.
func (a *Account) IsGmail() bool { return strings.EqualFold(a.Host, "pop.gmail.com") }

// IsRecentMode reports Gmail's "recent:" user name, which lists the last
// 30 days whatever was downloaded before.
func (a *Account) IsRecentMode() bool { return strings.HasPrefix(strings.ToLower(a.User), "recent:") }

// Describe explains, in a sentence or two, what fetching will do to the
// server's copy.
func (a *Account) Describe() string {
	var s string
	switch {
	case !a.KeepOnServer:
		s = "Mail is deleted from the server once it is safely in the archive."
	case a.DeleteAfterDays > 0:
		s = fmt.Sprintf("Mail stays on the server for %d days after it is archived, then is deleted there.", a.DeleteAfterDays)
	default:
		s = "Mail stays on the server; only new messages are downloaded."
	}
	if a.IsGmail() {
		s += " With Gmail, what happens to fetched mail on Google's side (keep, mark read, archive, delete) is set in Gmail's own settings under Forwarding and POP/IMAP, whatever popvault does."
	}
	return s
}

// SaveAccount validates and stores an account's settings in the archive.
func SaveAccount(a *archive.Archive, acct Account) error {
	if err := acct.Validate(); err != nil {
		return err
	}
	b, err := json.Marshal(acct)
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	return a.PutSettings(acct.Name, b)
}

// LoadAccount reads an account's settings from the archive.
func LoadAccount(a *archive.Archive, name string) (Account, error) {
	b, err := a.Settings(name)
	if err != nil {
		return Account{}, err
	}
	var acct Account
	if err := json.Unmarshal(b, &acct); err != nil {
		return Account{}, fmt.Errorf("fetch: account %q: %w", name, err)
	}
	// An earlier popvault kept the token command inside the archive. It is
	// never read from there: the account needs one set on this machine.
	var old struct {
		TokenCommand string `json:"token_command"`
	}
	if json.Unmarshal(b, &old) == nil && old.TokenCommand != "" {
		acct.TokenAuth = true
	}
	return acct, nil
}

// LoadAccounts reads every account, by name.
func LoadAccounts(a *archive.Archive) ([]Account, error) {
	names, err := a.Accounts()
	if err != nil {
		return nil, err
	}
	out := make([]Account, 0, len(names))
	for _, n := range names {
		acct, err := LoadAccount(a, n)
		if err != nil {
			return nil, err
		}
		out = append(out, acct)
	}
	return out, nil
}
