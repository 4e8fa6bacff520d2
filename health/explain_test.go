package health

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"

	"popvault/archive"
	"popvault/credentials"
	"popvault/fetch"
	"popvault/fetch/pop3"
	"popvault/oauth"
)

func TestExplain(t *testing.T) {
	wrap := func(err error) error { return &fetch.AccountError{Account: "home", Err: err} }
	// Where the keyring is a service on the session bus, a run that
	// reached none asked only the file: the password may be in the
	// keyring, closed while nobody is logged in.
	noKeyring := "no password for this account can be read here: none is kept in popvault's file, and no keyring is open (a backup while nobody is logged in finds none)"
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		noKeyring = "no password is stored for this account on this computer"
	}
	tests := map[string]struct {
		err       error
		words     string
		signIn    bool
		temporary bool
	}{
		"wrong password": {err: wrap(&pop3.Error{Command: "PASS", Text: "Authentication failed."}),
			words: "the server refused the password", signIn: true},
		"wrong password with [AUTH]": {err: wrap(&pop3.Error{Command: "USER", Code: "AUTH", Text: "Username and password not accepted."}),
			words: "the server refused the password", signIn: true},
		"Gmail's POP off": {err: wrap(&pop3.Error{Command: "PASS", Code: "SYS/PERM", Text: "Your account is not enabled for POP access. Please visit your Gmail settings page and enable your account for POP access."}),
			words: "Gmail's POP is turned off", signIn: true},
		"revoked sign-in": {err: wrap(fmt.Errorf("%w: invalid_grant: Token has been expired or revoked.", oauth.ErrSignInAgain)),
			words: "the sign-in must be renewed", signIn: true},
		"never signed in here": {err: wrap(fetch.ErrNotSignedIn), words: "the sign-in must be renewed", signIn: true},
		"no password":          {err: wrap(credentials.ErrNoSecret), words: "no password is stored for this account on this computer", signIn: true},
		"no password, no keyring": {err: wrap(fmt.Errorf("%w (%w: no session bus)", credentials.ErrNoSecret, credentials.ErrNoKeyring)),
			words: noKeyring, signIn: true},
		"locked keyring": {err: wrap(fmt.Errorf("%w: collection is locked", credentials.ErrKeyring)), words: "the keyring holding the password is locked", signIn: true},
		"disk full": {err: wrap(fmt.Errorf("archive: commit: %w", &os.PathError{Op: "write", Path: "archive.db", Err: syscall.ENOSPC})),
			words: "the disk is full"},
		"in use":       {err: wrap(pop3.ErrInUse), words: "another program is reading this mailbox", temporary: true},
		"login delay":  {err: wrap(&pop3.Error{Command: "PASS", Code: "LOGIN-DELAY"}), words: "the server asks to wait between sign-ins", temporary: true},
		"refused":      {err: wrap(fmt.Errorf("dial: %w", syscall.ECONNREFUSED)), words: "the server refused the connection", temporary: true},
		"no such host": {err: wrap(errors.New("dial tcp: lookup pop.example.invalid: no such host")), words: "the server's name was not found", temporary: true},
		"certificate":  {err: wrap(x509.UnknownAuthorityError{}), words: "the server's certificate cannot be trusted"},
		"no UIDL":      {err: wrap(fetch.ErrNoUIDL), words: "the server cannot tell its messages apart, so mail cannot be kept on it"},
		"archive busy": {err: fmt.Errorf("%w: /a", archive.ErrInUse), words: "the archive is in use by another popvault", temporary: true},
		"cancelled":    {err: wrap(context.Canceled), words: "the fetch was cancelled", temporary: true},
		"timeout":      {err: wrap(pop3.ErrTimeout), words: "the server or the network failed for now", temporary: true},
		"unknown":      {err: wrap(errors.New("pop3: odd")), words: "pop3: odd"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := Explain(tc.err)
			if got.Words != tc.words || got.SignIn != tc.signIn || got.Temporary != tc.temporary {
				t.Errorf("Explain(%v) = %+v, want words %q, SignIn %v, Temporary %v", tc.err, got, tc.words, tc.signIn, tc.temporary)
			}
			if !tc.temporary && tc.words != "pop3: odd" && got.Fix == "" {
				t.Errorf("Explain(%v) offers no fix", tc.err)
			}
		})
	}
	if (Explain(nil) != Explanation{}) {
		t.Errorf("Explain(nil) = %+v, want nothing", Explain(nil))
	}
}
