// Package healthtest holds the failures every surface must say alike:
// one table of fetch errors, each with the words [health.Explain] gives
// it, which the window's tests, the command line's and health's own run
// over, so that one error never reads two ways.
package healthtest

import (
	"crypto/x509"
	"fmt"
	"net"
	"syscall"

	"popvault/credentials"
	"popvault/fetch"
	"popvault/fetch/pop3"
	"popvault/health"
	"popvault/oauth"
)

// Case is one failure of the account "Old ISP" at pop.example.net:995.
type Case struct {
	Name    string
	Account fetch.Account
	// Refusal, where the failure is a POP server's answer to the password,
	// is what it says after "-ERR ", for a test server to play.
	Refusal string
	Err     error
	// Words is what the status and the account's record say.
	Words string
	// Sentence is what the window says beside the account, and the
	// command line after "popvault: ".
	Sentence string
	Kind     health.FixKind
	// Command is the command line's way to the fix (or the provider's
	// page), which the fix names; "" when there is none.
	Command string
	// ServerSaid is the server's own words, shown after the sentence.
	ServerSaid string
}

// Cases returns the table, made afresh (the errors are values a test may
// wrap).
func Cases() []Case {
	acct := fetch.Account{Name: "Old ISP", ID: "1", Host: "pop.example.net", Port: 995, User: "alice", KeepOnServer: true}
	token := acct
	token.TokenAuth = true
	refused := func(command, code, text string) error {
		return &fetch.AccountError{Account: acct.Name, Err: &pop3.Error{Command: command, Code: code, Text: text}}
	}
	wrap := func(err error) error { return &fetch.AccountError{Account: acct.Name, Err: err} }
	const password = `popvault account edit --name "Old ISP" --password-stdin`
	const signIn = `popvault account signin --name "Old ISP"`
	return []Case{
		{Name: "Dovecot refuses the password", Account: acct, Refusal: "[AUTH] Authentication failed.",
			Err:   refused("PASS", "AUTH", "Authentication failed."),
			Words: "the server refused the password", Sentence: "Old ISP refused the password",
			Kind: health.FixPassword, Command: password, ServerSaid: "[AUTH] Authentication failed."},
		{Name: "Courier refuses the password", Account: acct, Refusal: "Login failed.",
			Err:   refused("PASS", "", "Login failed."),
			Words: "the server refused the password", Sentence: "Old ISP refused the password",
			Kind: health.FixPassword, Command: password, ServerSaid: "Login failed."},
		{Name: "Outlook refuses a token", Account: token,
			Err:   refused("AUTH", "", "Authentication failure: unknown user name or bad password."),
			Words: "the server refused the sign-in", Sentence: "Old ISP refused the sign-in",
			Kind: health.FixSignIn, Command: signIn, ServerSaid: "Authentication failure: unknown user name or bad password."},
		{Name: "Gmail with POP off", Account: acct,
			Refusal: "[SYS/PERM] Your account is not enabled for POP access. Please visit your Gmail settings page and enable your account for POP access.",
			Err:     refused("PASS", "SYS/PERM", "Your account is not enabled for POP access. Please visit your Gmail settings page and enable your account for POP access."),
			Words:   "Gmail's POP is turned off", Sentence: "Gmail has POP turned off for Old ISP",
			Kind: health.FixProvider, Command: health.GmailPOPSettings,
			ServerSaid: "[SYS/PERM] Your account is not enabled for POP access. Please visit your Gmail settings page and enable your account for POP access."},
		{Name: "Outlook.com with POP off", Account: acct, Refusal: "User is authenticated but not connected.",
			Err:   refused("PASS", "", "User is authenticated but not connected."),
			Words: "Outlook.com's POP is turned off", Sentence: "Outlook.com has POP turned off for Old ISP",
			Kind: health.FixProvider, Command: health.OutlookPOPSettings, ServerSaid: "User is authenticated but not connected."},
		{Name: "Gmail wants an app password", Account: acct,
			Refusal: "[AUTH] Application-specific password required: https://support.google.com/accounts/answer/185833",
			Err:     refused("PASS", "AUTH", "Application-specific password required: https://support.google.com/accounts/answer/185833"),
			Words:   "Gmail wants an app password, not the account's own", Sentence: "Gmail wants an app password for Old ISP, not the account's own",
			Kind: health.FixPassword, Command: password, ServerSaid: "[AUTH] Application-specific password required: https://support.google.com/accounts/answer/185833"},
		{Name: "the server is busy", Account: acct, Refusal: "[SYS/TEMP] Temporary authentication failure",
			Err:   refused("PASS", "SYS/TEMP", "Temporary authentication failure"),
			Words: "the server is busy or asked to wait", Sentence: "Old ISP's server is busy or asked to wait: popvault tries again at the next fetch",
			ServerSaid: "[SYS/TEMP] Temporary authentication failure"},
		{Name: "another program reads the mailbox", Account: acct, Refusal: "[IN-USE] Mailbox is locked by another POP3 session",
			Err:   refused("PASS", "IN-USE", "Mailbox is locked by another POP3 session"),
			Words: "another program is reading this mailbox", Sentence: "Another program is reading Old ISP's mail on the server: popvault tries again at the next fetch",
			ServerSaid: "[IN-USE] Mailbox is locked by another POP3 session"},
		{Name: "escape codes in the refusal", Account: acct,
			Err:   refused("PASS", "AUTH", "Authentication failed \x1b]0;owned\x07\x1b[31mnow"),
			Words: "the server refused the password", Sentence: "Old ISP refused the password",
			Kind: health.FixPassword, Command: password, ServerSaid: "[AUTH] Authentication failed ]0;owned[31mnow"},
		{Name: "a sign-in revoked", Account: token,
			Err:   wrap(fmt.Errorf("%w: invalid_grant: Token has been expired or revoked", oauth.ErrSignInAgain)),
			Words: "the sign-in must be renewed", Sentence: "Old ISP needs you to sign in again", Kind: health.FixSignIn, Command: signIn},
		{Name: "no password kept", Account: acct, Err: wrap(credentials.ErrNoSecret),
			Words: "no password is stored for this account on this computer", Sentence: "No password is kept for Old ISP on this computer",
			Kind: health.FixPassword, Command: password},
		{Name: "an unknown server", Account: acct,
			Err:   wrap(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "pop.example.net", IsNotFound: true}}),
			Words: "the server's name was not found", Sentence: "The server pop.example.net of Old ISP cannot be found",
			Kind: health.FixSettings, Command: `popvault account edit --name "Old ISP" --host`},
		{Name: "a port that refuses", Account: acct, Err: wrap(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}),
			Words: "the server refused the connection", Sentence: "pop.example.net does not take POP connections on port 995",
			Kind: health.FixSettings, Command: `popvault account edit --name "Old ISP" --port`},
		{Name: "a certificate not trusted", Account: acct, Err: wrap(x509.UnknownAuthorityError{}),
			Words: "the server's certificate cannot be trusted", Sentence: "pop.example.net showed a certificate this computer does not trust, so nothing was sent",
			Kind: health.FixSettings, Command: `popvault account edit --name "Old ISP" --host NAME --ca-file`},
	}
}
