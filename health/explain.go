package health

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"

	"runtime"
	"strings"
	"syscall"

	"popvault/archive"
	"popvault/credentials"
	"popvault/fetch"
	"popvault/fetch/pop3"
)

// Explanation is a fetch's failure said for a person: what happened, and
// what to do about it.
type Explanation struct {
	Words string // "the server refused the password"
	// Fix says what to do: "Check the password: Edit the account …"; ""
	// when nothing is to be done but wait. ACCOUNT in it stands for the
	// account's name, which the error may not carry.
	Fix string
	// SignIn: only a person can mend it, by giving the password or
	// signing in again (notify's Attempt.SignIn); no retry will.
	SignIn bool
	// Temporary: the next run may well succeed by itself.
	Temporary bool
}

// rule is one row of Explain's table: the first whose match holds says
// the error.
type rule struct {
	match func(err error, text string) bool
	say   Explanation
}

// rules are tried in order: the most particular first (Gmail's POP turned
// off is a refusal of the sign-in, said more usefully).
var rules = []rule{
	{func(err error, _ string) bool { return errors.Is(err, context.Canceled) },
		Explanation{Words: "the fetch was cancelled", Temporary: true}},
	{func(err error, _ string) bool { return fetch.NeedsSignIn(err) },
		Explanation{Words: "the sign-in must be renewed", Fix: "Sign in again: the account's Sign in again button, or popvault account signin --name ACCOUNT", SignIn: true}},
	{func(_ error, text string) bool { return strings.Contains(text, "not enabled for pop") },
		Explanation{Words: "Gmail's POP is turned off", Fix: "Turn POP on in Gmail's settings (Forwarding and POP/IMAP, Enable POP for all mail), then fetch again", SignIn: true}},
	{func(_ error, text string) bool { return strings.Contains(text, "web login required") },
		Explanation{Words: "Gmail wants a sign-in on its web page first", Fix: "Sign in to Gmail in a browser once, then fetch again; with 2-step verification, use an app password", SignIn: true}},
	{func(err error, _ string) bool { return errors.Is(err, credentials.ErrNoSecret) },
		Explanation{Words: "no password is stored for this account on this computer", Fix: "Type the password again: Edit the account, or popvault account edit --name ACCOUNT --password-stdin", SignIn: true}},
	{func(err error, _ string) bool { return errors.Is(err, credentials.ErrKeyring) },
		Explanation{Words: "the keyring holding the password is locked", Fix: "Log in to the desktop so that the keyring unlocks, or keep the password where a scheduled run can read it (see popvault schedule on)", SignIn: true}},
	{refusedPassword,
		Explanation{Words: "the server refused the password", Fix: "Check the password: Edit the account (Gmail, Yahoo and GMX need an app password)", SignIn: true}},
	{func(err error, _ string) bool { return errors.Is(err, fetch.ErrNoUIDL) },
		Explanation{Words: "the server cannot tell its messages apart, so mail cannot be kept on it", Fix: "Choose \"delete after download\" for this account"}},
	{diskFull,
		Explanation{Words: "the disk is full", Fix: "Free some space on the disk that holds the archive, then fetch again"}},
	{func(err error, _ string) bool { return errors.Is(err, archive.ErrInUse) },
		Explanation{Words: "the archive is in use by another popvault", Fix: "Close the other popvault, or wait for it to finish", Temporary: true}},
	{badCertificate,
		Explanation{Words: "the server's certificate cannot be trusted", Fix: "Check the server's name; for your own server, give its CA file (Edit the account)"}},
	{func(_ error, text string) bool { return strings.Contains(text, "no such host") },
		Explanation{Words: "the server's name was not found", Fix: "Check the server's name, and that this computer is online", Temporary: true}},
	{func(err error, _ string) bool { return errors.Is(err, syscall.ECONNREFUSED) },
		Explanation{Words: "the server refused the connection", Fix: "Check the port and security (Edit the account); if they are right, the server is down: it is tried again later", Temporary: true}},
	{func(err error, _ string) bool { return errors.Is(err, pop3.ErrInUse) },
		Explanation{Words: "another program is reading this mailbox", Fix: "", Temporary: true}},
	{func(err error, _ string) bool { return errors.Is(err, pop3.ErrLoginDelay) },
		Explanation{Words: "the server asks to wait between sign-ins", Fix: "", Temporary: true}},
	{func(err error, _ string) bool { return fetch.IsTemporary(err) },
		Explanation{Words: "the server or the network failed for now", Fix: "", Temporary: true}},
}

// Explain says err, a fetch's failure, in words a person acts on. An error
// no rule knows is said as it is, without the account's name; nil is the
// zero Explanation.
func Explain(err error) Explanation {
	if err == nil {
		return Explanation{}
	}
	text := strings.ToLower(err.Error())
	for _, r := range rules {
		if r.match(err, text) {
			return r.say
		}
	}
	words := err.Error()
	var ae *fetch.AccountError
	if errors.As(err, &ae) {
		words = ae.Reason()
	}
	return Explanation{Words: words}
}

// refusedPassword: the server answered the sign-in with -ERR ([AUTH], or
// no code at all, as most servers do).
func refusedPassword(err error, _ string) bool {
	if errors.Is(err, pop3.ErrAuth) {
		return true
	}
	var pe *pop3.Error
	if !errors.As(err, &pe) || pe.Temporary() || errors.Is(err, pop3.ErrSysPerm) {
		return false
	}
	switch strings.ToUpper(pe.Command) {
	case "PASS", "APOP", "AUTH":
		return true
	}
	return false
}

func diskFull(err error, _ string) bool {
	if errors.Is(err, syscall.ENOSPC) {
		return true
	}
	var errno syscall.Errno
	// ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL, which Windows says
	// instead of ENOSPC.
	return runtime.GOOS == "windows" && errors.As(err, &errno) && (errno == 112 || errno == 39)
}

func badCertificate(err error, text string) bool {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	return errors.As(err, &unknown) || errors.As(err, &host) || errors.As(err, &invalid) || errors.As(err, &verify) ||
		strings.Contains(text, "certificate")
}
