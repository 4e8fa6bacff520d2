// Package fetch is popvault's sync engine: for each account it downloads
// what the archive does not hold yet, stores it durably, and only then,
// when the account says so, deletes it from the server. A message is
// marked for deletion only after the commit that stored it has returned
// (fsync), and the server deletes nothing until QUIT succeeds, so a crash,
// kill or dropped connection at any moment loses nothing and duplicates
// nothing.
//
// It keeps no secret and opens no keyring: an account's password or
// access token comes from the [SignIn] its caller hands the [Fetcher]
// (the window and the command line hand popvault/credentials' store).
//
// # Contents
//
//   - Accounts, as the archive keeps them: [Account] (with its [Security],
//     [SignInMethod] and each [Duration]), [LoadAccount], [LoadAccounts],
//     [AddAccount], [SaveAccount], [NewAccountID], [DefaultPort].
//   - Signing in: [SignIn], which the caller provides; [ErrNotSignedIn]
//     and [NeedsSignIn] say when a person must sign in again.
//   - Fetching: [Fetcher.Fetch] and [Fetcher.FetchAll] ([Result],
//     [Progress] through each [Stage], [AccountError], [IsTemporary],
//     [ErrNoUIDL]); [Fetcher.TryConnection] for the account dialog's test.
//   - Fetching on a timer, and when asked: [Scheduler].
package fetch

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"popvault/archive"
	"popvault/oauth"
	"popvault/transport"
)

// Security is how an account's connection is protected: the same type
// as [transport.Security], so that the settings stored in archives read
// and write as they always have ("tls", "starttls", "plain").
type Security = transport.Security

const (
	SecurityTLS      = transport.SecurityTLS      // implicit TLS, port 995
	SecurityStartTLS = transport.SecurityStartTLS // STLS on port 110; never falls back
	SecurityPlain    = transport.SecurityPlain    // no encryption: the password travels in clear
)

// Account is one POP account's settings. It never holds the password or
// a token, which the [Fetcher] asks its [SignIn] for.
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
	// TokenCommand, kept on this machine (popvault/credentials) and never
	// in the archive: here it is set only by whoever is about to store it.
	TokenAuth    bool   `json:"token_auth,omitempty"`
	TokenCommand string `json:"-"`

	// OAuth signs in with OAuth 2.0 at this provider ("google",
	// "microsoft" or "custom"), with no password. The sign-in itself (the
	// client and the tokens) is kept on this machine (popvault/credentials).
	OAuth string `json:"oauth,omitempty"`

	// ID is made at random when the account is added (for an account
	// saved before there were ids, when it is first read) and never
	// changes. What the account signs in with is kept on this machine
	// under its name and its id ("home#Q2X…"): two archives that each have
	// an account "home" never share a password or a sign-in.
	ID string `json:"id,omitempty"`
	// NameKeyed: the account was saved before there were ids, when
	// popvault kept what it signs in with under its bare name. Found
	// there, a secret is copied under NAME#ID; the entry under the name stays,
	// since another archive's account of that name may still read it.
	NameKeyed bool `json:"name_keyed,omitempty"`

	// Deliver, when set, puts each message this account fetches into
	// another mailbox too, over IMAP (see [Deliverer]).
	Deliver *Delivery `json:"deliver,omitempty"`
}

// NewAccountID returns a random id for a new account (128 bits, in
// base32's letters and digits).
func NewAccountID() string { return rand.Text() }

// SignInMethod is how an account signs in.
type SignInMethod int

const (
	WithPassword     SignInMethod = iota // a password (USER and PASS, APOP or SASL PLAIN)
	WithTokenCommand                     // an access token that a command prints (XOAUTH2)
	WithOAuth                            // an OAuth 2.0 sign-in at its provider
)

// SignsInWith says how the account signs in.
func (a *Account) SignsInWith() SignInMethod {
	switch {
	case a.OAuth != "":
		return WithOAuth
	case a.TokenAuth || a.TokenCommand != "":
		return WithTokenCommand
	}
	return WithPassword
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

// DefaultPort is POP3's port for a security mode: 995 with TLS, 110
// otherwise.
func DefaultPort(s Security) int { return transport.POP3.DefaultPort(s) }

// WithDefaults is a with what a person may leave out filled in: the
// name, server and user without surrounding spaces, TLS when no security
// is given, the security's port when none is, and TokenAuth when a token
// command is set. It checks nothing: see Check.
func (a Account) WithDefaults() Account {
	a.Name, a.Host, a.User = strings.TrimSpace(a.Name), strings.TrimSpace(a.Host), strings.TrimSpace(a.User)
	if a.TokenCommand != "" {
		a.TokenAuth = true
	}
	if a.Security == "" {
		a.Security = SecurityTLS
	}
	if a.Port == 0 {
		a.Port = DefaultPort(a.Security)
	}
	return a
}

// Check says, in a sentence, what is wrong with the settings, or nil
// when nothing is. It fills in nothing: check a.WithDefaults().
func (a *Account) Check() error {
	switch {
	case strings.TrimSpace(a.Name) == "":
		return errors.New("fetch: the account needs a name")
	case strings.TrimSpace(a.Host) == "":
		return errors.New("fetch: the account needs a server")
	case strings.TrimSpace(a.User) == "":
		return errors.New("fetch: the account needs a user name")
	case strings.ContainsAny(a.Name+a.Host+a.User, "\r\n\x00"):
		return errors.New("fetch: settings may not hold line breaks")
	case a.DeleteAfterDays < 0:
		return errors.New("fetch: delete-after days cannot be negative")
	case a.CAFile != "" && !filepath.IsAbs(a.CAFile):
		// Read relative to wherever a later fetch runs, it would name
		// another file or none.
		return fmt.Errorf("fetch: the CA file %q is not a full path; give it as one (popvault account edit --ca-file does)", a.CAFile)
	case a.OAuth != "" && a.OAuth != oauth.ProviderGoogle && a.OAuth != oauth.ProviderMicrosoft && a.OAuth != oauth.ProviderCustom:
		return fmt.Errorf("fetch: OAuth provider %q is not google, microsoft or custom", a.OAuth)
	case a.OAuth != "" && (a.TokenAuth || a.TokenCommand != ""):
		return errors.New("fetch: an account signs in with OAuth or with a token command, not both")
	case a.Security != SecurityTLS && a.Security != SecurityStartTLS && a.Security != SecurityPlain:
		return fmt.Errorf("fetch: security %q is not tls, starttls or plain", a.Security)
	case a.Port < 1 || a.Port > 65535:
		return fmt.Errorf("fetch: port %d is out of range", a.Port)
	case a.IsRecentMode() && !a.KeepOnServer:
		return errors.New("fetch: Gmail's recent: mode lists mail already fetched; it must keep mail on the server")
	case a.Deliver != nil:
		return a.Deliver.Check()
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

// ErrAccountExists: AddAccount was given a name already in use.
var ErrAccountExists = errors.New("fetch: an account of this name exists already")

// SaveAccount validates and stores an account's settings in the archive.
// The id already stored for the account is kept, whatever acct says: what
// it signs in with on this machine is kept under it.
func SaveAccount(a *archive.Archive, acct Account) error {
	return putAccount(a, acct, replacing)
}

// AddAccount stores a new account's settings, with acct's id (the one its
// secrets were just stored under) or else a new one. A name already in
// use is refused in the same transaction, so nothing of the account that
// has it is replaced.
func AddAccount(a *archive.Archive, acct Account) error {
	return putAccount(a, acct, adding)
}

// putMode is whether putAccount adds a new account or replaces one's
// settings.
type putMode int

const (
	replacing putMode = iota // SaveAccount: the id stored is kept
	adding                   // AddAccount: a name in use is refused
)

func putAccount(a *archive.Archive, acct Account, mode putMode) error {
	acct = acct.WithDefaults()
	if err := acct.Check(); err != nil {
		return err
	}
	return a.Account(acct.Name).ChangeSettings(func(old []byte) ([]byte, error) {
		var stored struct {
			ID        string `json:"id"`
			NameKeyed bool   `json:"name_keyed"`
		}
		switch {
		case old != nil && mode == adding:
			return nil, fmt.Errorf("%w: %q; give the new one another name", ErrAccountExists, acct.Name)
		case old != nil && json.Unmarshal(old, &stored) == nil && stored.ID != "":
			acct.ID, acct.NameKeyed = stored.ID, stored.NameKeyed
		case mode == adding && acct.ID == "":
			acct.ID = NewAccountID()
		}
		b, err := json.Marshal(acct)
		if err != nil {
			return nil, fmt.Errorf("fetch: %w", err)
		}
		return b, nil
	})
}

// LoadAccount reads an account's settings from the archive.
func LoadAccount(a *archive.Archive, name string) (Account, error) {
	b, err := a.Account(name).Settings()
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
	if acct.ID == "" && !a.ReadOnly() {
		if acct.ID, acct.NameKeyed, err = giveID(a, name); err != nil {
			return Account{}, err
		}
	}
	return acct, nil
}

// giveID stores an id in the settings of an account saved before there
// were ids, and marks it as keeping its secrets under its name until
// they are copied; the settings are otherwise left as stored. Should two
// readers do this at once, the first id stored is the one both return.
func giveID(a *archive.Archive, name string) (id string, nameKeyed bool, err error) {
	err = a.Account(name).ChangeSettings(func(old []byte) ([]byte, error) {
		if old == nil {
			return nil, fmt.Errorf("%w: account %q", archive.ErrNotFound, name)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(old, &m); err != nil || m == nil {
			return nil, fmt.Errorf("fetch: account %q: its settings are damaged", name)
		}
		if json.Unmarshal(m["id"], &id) == nil && id != "" {
			json.Unmarshal(m["name_keyed"], &nameKeyed)
			return nil, nil
		}
		id, nameKeyed = NewAccountID(), true
		m["id"], _ = json.Marshal(id)
		m["name_keyed"] = json.RawMessage("true")
		return json.Marshal(m)
	})
	return id, nameKeyed, err
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
