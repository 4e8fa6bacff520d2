package health

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/emersion/go-imap/v2"

	"popvault/archive"
	"popvault/credentials"
	"popvault/fetch"
	"popvault/fetch/pop3"
	"popvault/internal/termtext"
)

// FixKind is what kind of thing mends a failure: each surface offers it
// its own way (the window a button, the command line a command).
type FixKind int

const (
	FixNone     FixKind = iota // it passes by itself, or nothing popvault offers helps
	FixPassword                // type the password again (an app password where Link says)
	FixSignIn                  // sign in again in the browser
	FixSettings                // the account's server, port, security or keep choice
	FixProvider                // a setting at the provider's, on the page Link
)

// Explanation is a fetch's failure said for a person: what happened, and
// what to do about it. The window and the command line both say a
// failure from it, so one error reads the same on both.
type Explanation struct {
	// Words say what happened without naming the account, for a line that
	// names it already: "the server refused the password".
	Words string
	// Sentence says it naming the account: "Old ISP refused the
	// password". From [Explain], ACCOUNT stands for the name.
	Sentence string
	// Todo says what to do, whatever the surface: "Check the password";
	// "" when nothing is to be done but wait. Command is the command line's
	// way to do it, where there is one: "popvault account edit --name
	// ACCOUNT --password-stdin".
	Todo    string
	Command string
	// Fix is Todo with the window's way and the command line's, for what
	// both read (status, notifications, the account's record): "Check the
	// password: Edit the account, or popvault account edit --name ACCOUNT
	// --password-stdin". From [ExplainAccount], the account's name is in
	// place of ACCOUNT in Fix and Command, quoted for a shell where it
	// must be.
	Fix string
	// Kind is what the fix is; Action names a FixProvider fix ("Turn POP
	// on at Gmail"), and Link is the provider's page where it is done (or
	// where an app password is made, for FixPassword).
	Kind   FixKind
	Action string
	Link   string
	// ServerSaid is the server's own words, where it answered with them
	// ("[AUTH] Authentication failed."); Detail is the whole error
	// without the account's name. Both made safe to show (no control
	// characters) and one line.
	ServerSaid string
	Detail     string
	// SignIn: only a person can mend it, by giving the password or
	// signing in again (notify's Attempt.SignIn); no retry will.
	SignIn bool
	// Temporary: the next run may well succeed by itself.
	Temporary bool
}

// Where providers turn POP on and make app passwords.
const (
	GmailPOPSettings   = "https://mail.google.com/mail/u/0/#settings/fwdandpop"
	GmailAppPasswords  = "https://myaccount.google.com/apppasswords"
	GmailWebLogin      = "https://mail.google.com/"
	OutlookPOPSettings = "https://outlook.live.com/mail/0/options/mail/forwarding"
)

// The command line's ways to the fixes, with ACCOUNT for the name.
const (
	cmdPassword = "popvault account edit --name ACCOUNT --password-stdin"
	cmdSignIn   = "popvault account signin --name ACCOUNT"
)

// rule is one row of Explain's table: the first whose match holds says
// the error. Its sentence names the account with ACCOUNT, and the server
// with HOST and PORT; "" is "ACCOUNT: " and the words.
type rule struct {
	match func(err error, c cause) bool
	say   Explanation
}

// cause is what the rules look at, found in the error once.
type cause struct {
	acct fetch.Account
	text string      // the error's text, lower case
	pop  *pop3.Error // the POP server's -ERR, if that is what failed
	imap *imap.Error // the IMAP server's NO or BAD (restore, delivery)
}

// byToken: an account that signs in with a token rather than a password.
func (c cause) byToken() bool { return c.acct.OAuth != "" || c.acct.TokenAuth }

// rules are tried in order: the most particular first (Gmail's POP turned
// off is a refusal of the sign-in, said more usefully).
var rules = []rule{
	{func(err error, _ cause) bool { return errors.Is(err, context.Canceled) },
		Explanation{Words: "the fetch was cancelled", Temporary: true}},
	{func(err error, _ cause) bool { return fetch.NeedsSignIn(err) },
		Explanation{Words: "the sign-in must be renewed", Sentence: "ACCOUNT needs you to sign in again",
			Todo: "Sign in again", Command: cmdSignIn, Kind: FixSignIn, SignIn: true}},
	{func(_ error, c cause) bool { return strings.Contains(c.text, "not enabled for pop") },
		Explanation{Words: "Gmail's POP is turned off", Sentence: "Gmail has POP turned off for ACCOUNT",
			Todo: "Turn POP on in Gmail's settings (Forwarding and POP/IMAP, Enable POP for all mail) at " + GmailPOPSettings + ", then fetch again",
			Kind: FixProvider, Action: "Turn POP on at Gmail", Link: GmailPOPSettings, SignIn: true}},
	{func(_ error, c cause) bool { return strings.Contains(c.text, "authenticated but not connected") },
		Explanation{Words: "Outlook.com's POP is turned off", Sentence: "Outlook.com has POP turned off for ACCOUNT",
			Todo: "Turn POP on in Outlook.com's settings (Forwarding and IMAP, Let devices and apps use POP) at " + OutlookPOPSettings + ", then fetch again",
			Kind: FixProvider, Action: "Turn POP on at Outlook.com", Link: OutlookPOPSettings, SignIn: true}},
	{func(_ error, c cause) bool { return strings.Contains(c.text, "application-specific password") },
		Explanation{Words: "Gmail wants an app password, not the account's own", Sentence: "Gmail wants an app password for ACCOUNT, not the account's own",
			Todo: "Make an app password at " + GmailAppPasswords + " and type it as the password", Command: cmdPassword,
			Kind: FixPassword, Link: GmailAppPasswords, SignIn: true}},
	{func(_ error, c cause) bool { return strings.Contains(c.text, "web login required") },
		Explanation{Words: "Gmail wants a sign-in on its web page first", Sentence: "Gmail wants ACCOUNT signed in on its web page first",
			Todo: "Sign in to Gmail in a browser once (" + GmailWebLogin + "), then fetch again; with 2-step verification, use an app password",
			Kind: FixProvider, Action: "Sign in at Gmail", Link: GmailWebLogin, SignIn: true}},
	{func(err error, _ cause) bool {
		return errors.Is(err, credentials.ErrNoSecret) && errors.Is(err, credentials.ErrNoKeyring) && KeyringOnSessionBus()
	},
		Explanation{Words: "no password for this account can be read here: none is kept in popvault's file, and no keyring is open (a backup while nobody is logged in finds none)",
			Sentence: "No password for ACCOUNT can be read here: none is kept in popvault's file, and no keyring is open (a backup while nobody is logged in finds none)",
			Todo:     "If your desktop's keyring holds it, log in at the desktop and turn the backup on from there (it then runs while you are logged in); otherwise type the password again",
			Command:  cmdPassword, Kind: FixPassword, SignIn: true}},
	{func(err error, _ cause) bool { return errors.Is(err, credentials.ErrNoSecret) },
		Explanation{Words: "no password is stored for this account on this computer", Sentence: "No password is kept for ACCOUNT on this computer",
			Todo: "Type the password again", Command: cmdPassword, Kind: FixPassword, SignIn: true}},
	{func(err error, _ cause) bool { return errors.Is(err, credentials.ErrKeyring) },
		Explanation{Words: "the keyring holding the password is locked",
			Todo: "Log in to the desktop and unlock the keyring: a backup while popvault is closed runs while you are logged in, and then reads it", SignIn: true}},
	{func(err error, c cause) bool { return errors.Is(err, pop3.ErrInUse) },
		Explanation{Words: "another program is reading this mailbox", Sentence: "Another program is reading ACCOUNT's mail on the server: popvault tries again at the next fetch", Temporary: true}},
	{func(err error, _ cause) bool { return errors.Is(err, pop3.ErrLoginDelay) },
		Explanation{Words: "the server asks to wait between sign-ins", Sentence: "ACCOUNT's server asks to wait between sign-ins: popvault tries again at the next fetch", Temporary: true}},
	{func(_ error, c cause) bool { return c.pop != nil && c.pop.Temporary() },
		Explanation{Words: "the server is busy or asked to wait", Sentence: "ACCOUNT's server is busy or asked to wait: popvault tries again at the next fetch", Temporary: true}},
	{func(err error, c cause) bool { return refusedPassword(err, c) && c.byToken() },
		Explanation{Words: "the server refused the sign-in", Sentence: "ACCOUNT refused the sign-in",
			Todo: "Sign in again", Command: cmdSignIn, Kind: FixSignIn, SignIn: true}},
	{refusedPassword,
		Explanation{Words: "the server refused the password", Sentence: "ACCOUNT refused the password",
			Todo: "Check the password (Gmail, Yahoo and GMX need an app password)", Command: cmdPassword, Kind: FixPassword, SignIn: true}},
	{func(err error, _ cause) bool { return errors.Is(err, fetch.ErrNoUIDL) },
		Explanation{Words: "the server cannot tell its messages apart, so mail cannot be kept on it",
			Todo: "Choose to delete mail from the server once it is safely in the archive", Command: "popvault account edit --name ACCOUNT --keep=false",
			Kind: FixSettings}},
	{diskFull,
		Explanation{Words: "the disk is full", Todo: "Free some space on the disk that holds the archive, then fetch again"}},
	{func(err error, _ cause) bool { return errors.Is(err, archive.ErrInUse) },
		Explanation{Words: "the archive is in use by another popvault", Todo: "Close the other popvault, or wait for it to finish", Temporary: true}},
	{badCertificate,
		Explanation{Words: "the server's certificate cannot be trusted", Sentence: "HOST showed a certificate this computer does not trust, so nothing was sent",
			Todo: "Check the server's name; for your own server, give its CA file", Command: "popvault account edit --name ACCOUNT --host NAME --ca-file FILE",
			Kind: FixSettings}},
	{func(err error, c cause) bool {
		var dns *net.DNSError
		return errors.As(err, &dns) || strings.Contains(c.text, "no such host")
	},
		Explanation{Words: "the server's name was not found", Sentence: "The server HOST of ACCOUNT cannot be found",
			Todo: "Check the server's name, and that this computer is online", Command: "popvault account edit --name ACCOUNT --host NAME",
			Kind: FixSettings, Temporary: true}},
	{func(err error, _ cause) bool { return fetch.ConnRefused(err) },
		Explanation{Words: "the server refused the connection", Sentence: "HOST does not take POP connections on port PORT",
			Todo: "Check the port and security (if they are right, the server is down, and is tried again later)", Command: "popvault account edit --name ACCOUNT --port N --security tls",
			Kind: FixSettings, Temporary: true}},
	{func(_ error, c cause) bool {
		return c.imap != nil && (c.imap.Code == imap.ResponseCodeAuthenticationFailed || c.imap.Code == imap.ResponseCodeAuthorizationFailed)
	},
		Explanation{Words: "the server refused the password", Sentence: "ACCOUNT refused the password",
			Todo: "Check the password (Gmail, Yahoo and GMX need an app password)", Kind: FixPassword, SignIn: true}},
	{func(err error, _ cause) bool { return errors.Is(err, pop3.ErrTimeout) || fetch.IsTemporary(err) },
		Explanation{Words: "the server or the network failed for now", Sentence: "ACCOUNT's server or the network failed for now: popvault tries again at the next fetch", Temporary: true}},
}

// windowControls name, in a fix, what the window offers for each kind:
// the account's Edit (which its Change password… and Check the settings…
// buttons open too), and its Sign in again button.
var windowControls = map[FixKind]string{
	FixPassword: "Edit the account",
	FixSignIn:   "the account's Sign in again button",
	FixSettings: "Edit the account",
}

// Explain says err, a fetch's failure, in words a person acts on, with
// ACCOUNT in its Sentence and Fix for the account's name. An error no
// rule knows is said as it is, without the account's name; nil is the
// zero Explanation.
func Explain(err error) Explanation {
	return explain(fetch.Account{}, err, "ACCOUNT")
}

// ExplainAccount is [Explain] for a failure of acct: its name, server and
// port in place, and a refusal of a token said as the sign-in's.
func ExplainAccount(acct fetch.Account, err error) Explanation {
	return explain(acct, err, acct.Name)
}

func explain(acct fetch.Account, err error, name string) Explanation {
	if err == nil {
		return Explanation{}
	}
	c := cause{acct: acct, text: strings.ToLower(err.Error())}
	errors.As(err, &c.pop)
	errors.As(err, &c.imap)
	e := Explanation{Words: oneLine(reason(err))}
	for _, r := range rules {
		if r.match(err, c) {
			e = r.say
			break
		}
	}
	e.Detail = oneLine(reason(err))
	switch {
	case c.pop != nil:
		e.ServerSaid = oneLine(serverWords(c.pop.Code, c.pop.Text))
	case c.imap != nil:
		e.ServerSaid = oneLine(serverWords(string(c.imap.Code), c.imap.Text))
	}
	if e.Sentence == "" {
		e.Sentence = "ACCOUNT: " + e.Words
	}
	host, port := acct.Host, "its port"
	if host == "" {
		host = "the server"
	}
	if acct.Port != 0 {
		port = strconv.Itoa(acct.Port)
	}
	e.Sentence = strings.NewReplacer("ACCOUNT", name, "HOST", host, "PORT", port).Replace(e.Sentence)
	if name != "ACCOUNT" {
		e.Command = strings.ReplaceAll(e.Command, "ACCOUNT", ShellQuote(name))
	}
	e.Fix = e.Todo
	if e.Command != "" {
		e.Fix += ": " + windowControls[e.Kind] + ", or " + e.Command
	}
	return e
}

// reason is the error's words without "fetch:" and the account's name.
func reason(err error) string {
	var ae *fetch.AccountError
	if errors.As(err, &ae) {
		return ae.Reason()
	}
	return err.Error()
}

func serverWords(code, text string) string {
	if code != "" {
		return "[" + code + "] " + text
	}
	return text
}

// oneLine makes s safe to show (a server chooses it: no escape codes,
// no bidirectional overrides) and one line.
func oneLine(s string) string {
	return termtext.Clean(strings.Join(strings.Fields(s), " "))
}

// ShellQuote writes an account's name as a shell reads it back as one
// word: as it is when it is plain, else in double quotes.
func ShellQuote(name string) string {
	plain := name != ""
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./_-", r)) {
			plain = false
			break
		}
	}
	if plain {
		return name
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(name) + `"`
}

// refusedPassword: the server's -ERR answered the password or sign-in.
// Servers word it their own way (Dovecot's "[AUTH] Authentication
// failed.", Gmail's "[AUTH] Username and password not accepted.",
// Outlook's "Logon failure: unknown user name or bad password.",
// Courier's "Login failed."): the command it answered says it.
func refusedPassword(err error, c cause) bool {
	if errors.Is(err, pop3.ErrAuth) {
		return true
	}
	if c.pop == nil || c.pop.Temporary() || errors.Is(err, pop3.ErrSysPerm) {
		return false
	}
	switch strings.ToUpper(c.pop.Command) {
	case "PASS", "APOP", "AUTH", "USER":
		return true
	}
	return false
}

func diskFull(err error, _ cause) bool {
	if errors.Is(err, syscall.ENOSPC) {
		return true
	}
	var errno syscall.Errno
	// ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL, which Windows says
	// instead of ENOSPC.
	return runtime.GOOS == "windows" && errors.As(err, &errno) && (errno == 112 || errno == 39)
}

func badCertificate(err error, c cause) bool {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) || errors.As(err, &verify) ||
		strings.Contains(c.text, "certificate")
}

// KeyringOnSessionBus reports whether passwords belong in a keyring on the
// session bus (Linux, the BSDs), which is closed while nobody is logged
// in; Windows' Credential Manager and macOS's keychain are no service on
// a bus.
func KeyringOnSessionBus() bool { return runtime.GOOS != "windows" && runtime.GOOS != "darwin" }
