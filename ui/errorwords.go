package ui

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"popvault/credentials"
	"popvault/fetch"
	"popvault/fetch/pop3"
)

// fixKind is what a person can do, beside an account's failure, about it.
type fixKind int

const (
	fixNothing  fixKind = iota // it passes by itself, or nothing here helps
	fixPassword                // "Change password…": the account dialog
	fixSignIn                  // "Sign in again": the browser
	fixSettings                // "Check the settings…": the account dialog
	fixProvider                // a page of the provider's, where a setting is turned on
)

// explained is a fetch's failure in plain words, with what fixes it.
type explained struct {
	words  string  // what happened, naming the account: "Old ISP refused the password"
	fix    fixKind // what the button beside it does
	action string  // the button's words; "" for no button
	link   string  // for fixProvider (and fixPassword where the provider makes app passwords), the page
	detail string  // the server's or the system's own words, behind "Details"
}

// Where providers turn POP on and make app passwords.
const (
	gmailPOPSettings   = "https://mail.google.com/mail/u/0/#settings/fwdandpop"
	gmailAppPasswords  = "https://myaccount.google.com/apppasswords"
	outlookPOPSettings = "https://outlook.live.com/mail/0/options/mail/forwarding"
)

// explainFetch says err, a fetch of acct that failed, in words a person
// can act on. It reads the server's refusal where servers say more than
// "no" (Gmail's POP switched off, Outlook's too, an app password wanted);
// every other refusal of a password is one.
func explainFetch(acct fetch.Account, err error) explained {
	name := acct.Name
	e := explained{detail: problem(err)}
	var perr *pop3.Error
	isPOP := errors.As(err, &perr)
	text := ""
	if isPOP {
		text = strings.ToLower(perr.Text)
	}
	server := acct.Host
	if server == "" {
		server = "the server"
	}
	var cert x509.HostnameError
	var unknownCA x509.UnknownAuthorityError
	var dnsErr *net.DNSError
	switch {
	case fetch.NeedsSignIn(err):
		e.words, e.fix, e.action = name+" needs you to sign in again", fixSignIn, "Sign in again"
	case isPOP && strings.Contains(text, "not enabled for pop"):
		e.words, e.fix, e.action, e.link = "Gmail has POP turned off for "+name, fixProvider, "Turn POP on at Gmail", gmailPOPSettings
	case isPOP && strings.Contains(text, "authenticated but not connected"):
		e.words, e.fix, e.action, e.link = "Outlook.com has POP turned off for "+name, fixProvider, "Turn POP on at Outlook.com", outlookPOPSettings
	case isPOP && (strings.Contains(text, "application-specific password") || strings.Contains(text, "web login required")):
		e.words, e.fix, e.action, e.link = "Gmail wants an app password for "+name+", not the account's own", fixPassword, "Change password…", gmailAppPasswords
	case isPOP && perr.Temporary():
		e.words = name + "'s server is busy or asked to wait: popvault tries again at the next fetch"
		if errors.Is(err, pop3.ErrInUse) {
			e.words = "Another program is reading " + name + "'s mail on the server: popvault tries again at the next fetch"
		}
	case isPOP && refusedSignIn(perr):
		if acct.OAuth != "" || acct.TokenAuth {
			e.words, e.fix, e.action = name+" refused the sign-in", fixSignIn, "Sign in again"
		} else {
			e.words, e.fix, e.action = name+" refused the password", fixPassword, "Change password…"
		}
	case errors.Is(err, credentials.ErrNoSecret):
		e.words, e.fix, e.action = "No password is kept for "+name+" on this computer", fixPassword, "Change password…"
	case errors.As(err, &dnsErr):
		e.words, e.fix, e.action = "The server "+server+" of "+name+" cannot be found: check its name, and the network", fixSettings, "Check the settings…"
	case errors.Is(err, syscall.ECONNREFUSED):
		e.words, e.fix, e.action = fmt.Sprintf("%s does not take POP connections on port %d: check the port and security", server, acct.Port), fixSettings, "Check the settings…"
	case errors.As(err, &cert), errors.As(err, &unknownCA):
		e.words, e.fix, e.action = server+" showed a certificate this computer does not trust, so nothing was sent: check the server's name", fixSettings, "Check the settings…"
	case errors.Is(err, pop3.ErrTimeout), fetch.IsTemporary(err):
		e.words = name + "'s server did not answer: popvault tries again at the next fetch"
	default:
		e.words = name + ": " + e.detail
		e.detail = ""
	}
	return e
}

// refusedSignIn: the server's -ERR answered the password or sign-in.
// Servers word it their own way (Dovecot's "[AUTH] Authentication
// failed.", Gmail's "[AUTH] Username and password not accepted.",
// Outlook's "Logon failure: unknown user name or bad password.",
// Courier's "Login failed."): the command it answered says it.
func refusedSignIn(e *pop3.Error) bool {
	if errors.Is(e, pop3.ErrAuth) {
		return true
	}
	switch e.Command {
	case "PASS", "APOP", "AUTH", "USER":
		return !errors.Is(e, pop3.ErrSysPerm)
	}
	return false
}
