package fetch

import (
	"context"
	"errors"

	"popvault/bearer"
	"popvault/oauth"
)

// SignIn gives the [Fetcher] what each account signs in with. The
// Fetcher never learns where it is kept: the window and the command line
// hand it the store that keeps it (popvault/credentials), and tests a
// map.
type SignIn interface {
	// Password returns the password of an account that signs in with one.
	Password(ctx context.Context, acct Account) (string, error)
	// Token returns an access token for a session with acct's own server
	// (acct.Host, with acct.Security), for an account that signs in with
	// OAuth or a token command: [bearer.Renewed] after the server refused
	// the last one. An account with no sign-in on this machine is an
	// error that wraps [ErrNotSignedIn].
	Token(ctx context.Context, acct Account, want bearer.Freshness) (string, error)
}

// ErrNotSignedIn: the account signs in with OAuth and has not signed in on
// this machine (an archive from elsewhere, or a sign-in never finished).
var ErrNotSignedIn = errors.New("fetch: not signed in on this machine")

// NeedsSignIn reports whether err means that only a person signing in
// again, in a browser, can fix the account: never something an unattended
// check should try.
func NeedsSignIn(err error) bool {
	return errors.Is(err, oauth.ErrSignInAgain) || errors.Is(err, ErrNotSignedIn)
}
