package credentials

import (
	"context"
	"errors"
	"fmt"

	"popvault/bearer"
	"popvault/fetch"
)

// Store is every place this machine keeps what accounts sign in with,
// each under the account's key and never in the archive: passwords,
// token commands and OAuth sign-ins. A nil field is a place not used
// (tests, the demo).
//
// It is a [fetch.SignIn]: the window and the command line hand it to the
// sync engine, which asks it for an account's password or access token.
type Store struct {
	Passwords     Secrets
	TokenCommands *TokenCommands
	OAuth         *OAuthStore
}

var _ fetch.SignIn = (*Store)(nil)

// Password returns acct's password (see the package function
// [Password]).
func (s *Store) Password(_ context.Context, acct fetch.Account) (string, error) {
	if s.Passwords == nil {
		return "", ErrNoSecret
	}
	return Password(s.Passwords, acct)
}

// Token returns an access token for a session with acct's own server:
// its OAuth sign-in's, where [OAuthStore.CheckHost] allows it to go
// there, or else what its token command prints. want is for OAuth:
// a token command prints what it prints.
func (s *Store) Token(ctx context.Context, acct fetch.Account, want bearer.Freshness) (string, error) {
	if acct.OAuth != "" {
		if s.OAuth == nil {
			return "", fetch.ErrNotSignedIn
		}
		return s.OAuth.AccessToken(ctx, acct, want)
	}
	command, err := s.TokenCommands.command(acct)
	if err != nil {
		return "", err
	}
	return runTokenCommand(ctx, command)
}

// Trying is what an account dialog's Test connection signs in with,
// before anything is saved: password, whatever acct keeps (the one typed,
// or the one the dialog read for the account being edited); held, for an
// OAuth account, when set (a sign-in just made; renewals stay in it);
// and s for the rest (the account's token command, its kept sign-in).
func (s *Store) Trying(password string, held *SignIn) fetch.SignIn {
	return trial{s: s, password: password, held: held}
}

type trial struct {
	s        *Store
	password string
	held     *SignIn
}

func (t trial) Password(context.Context, fetch.Account) (string, error) { return t.password, nil }

func (t trial) Token(ctx context.Context, acct fetch.Account, want bearer.Freshness) (string, error) {
	if acct.OAuth == "" || t.held == nil {
		return t.s.Token(ctx, acct, want)
	}
	if t.s.OAuth == nil {
		return "", fetch.ErrNotSignedIn
	}
	return t.s.OAuth.heldToken(ctx, acct, t.held, want)
}

// Forget removes everything acct signs in with from this machine: its
// password, its token command, and its OAuth sign-in (client, token,
// and the access token in memory), whichever way it signs in now, since
// it may have signed in another way before. Removing an account, the
// window and the command line both call it. What could not be removed is
// said, place by place.
func (s *Store) Forget(acct fetch.Account) error {
	return errors.Join(s.forget(acct, fetch.WithPassword), s.forget(acct, fetch.WithTokenCommand), s.forget(acct, fetch.WithOAuth))
}

// ForgetReplaced removes what before signed in with once after signs in
// another way (a token command replaced by a password, a password by an
// OAuth sign-in): nothing is kept that nothing uses. Nothing is touched
// when the way is the same: an unchanged keyring is not asked.
func (s *Store) ForgetReplaced(before, after fetch.Account) error {
	if before.SignsInWith() == after.SignsInWith() {
		return nil
	}
	return s.forget(before, before.SignsInWith())
}

// forget removes what acct keeps for one way of signing in.
func (s *Store) forget(acct fetch.Account, how fetch.SignInMethod) error {
	var err error
	var thing string
	switch how {
	case fetch.WithPassword:
		thing = "password"
		if s.Passwords != nil {
			err = deleteBoth(acct, s.Passwords.Delete)
		}
	case fetch.WithTokenCommand:
		thing = "token command"
		if s.TokenCommands != nil {
			err = s.TokenCommands.Delete(acct)
		}
	case fetch.WithOAuth:
		thing = "OAuth sign-in"
		if s.OAuth != nil {
			err = s.OAuth.Delete(acct)
		}
	}
	if err != nil {
		return fmt.Errorf("credentials: deleting the %s of %s: %w", thing, acct.Name, err)
	}
	return nil
}
