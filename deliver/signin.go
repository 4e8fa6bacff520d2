package deliver

import (
	"context"
	"errors"
	"fmt"

	"popvault/archive"
	"popvault/credentials"
	"popvault/fetch"
	"popvault/restore"
	"popvault/transport"
)

// PasswordKey is where the target's password is kept on this machine:
// under the account's own key ("home#Q2X…/deliver"), so that it goes
// with the account and never to another's target.
func PasswordKey(acct fetch.Account) string { return credentials.Key(acct) + "/deliver" }

// ErrNoPassword: no password is kept for the account's target.
var ErrNoPassword = errors.New("no password is kept for the delivery target: set it again with popvault account deliver --password-stdin")

// SetPassword keeps the target's password, under PasswordKey.
func SetPassword(s credentials.Secrets, acct fetch.Account, password string) error {
	if err := s.Set(PasswordKey(acct), password); err != nil {
		return fmt.Errorf("deliver: keeping the target's password: %w", err)
	}
	return nil
}

// OAuthServer is the name an OAuth sign-in kept for a target's server and
// user (not an account's) is kept under, as restore's command keeps it.
func OAuthServer(d *fetch.Delivery) fetch.Account {
	return fetch.Account{Name: "imap:" + d.User + "@" + d.Host, OAuth: d.OAuth, Host: d.Host}
}

// SignInFrom gives each account's target what it signs in with, from
// what this machine keeps: the password under PasswordKey, an OAuth
// sign-in kept for the target's server and user, or the sign-in of the
// popvault account it names (OAuthStore.TokenFor applies CheckHost, so a
// sign-in goes only to its own provider's servers).
func SignInFrom(a *archive.Archive, st *credentials.Store) func(context.Context, fetch.Account) (restore.Credentials, error) {
	return func(_ context.Context, acct fetch.Account) (restore.Credentials, error) {
		d := acct.Deliver
		sec := d.Security
		if sec == "" {
			sec = transport.SecurityTLS
		}
		switch {
		case d.OAuthAccount != "" || d.OAuth != "":
			if st.OAuth == nil {
				return restore.Credentials{}, errors.New("no OAuth sign-ins are kept on this machine")
			}
			who := OAuthServer(d)
			if d.OAuthAccount != "" {
				var err error
				if who, err = fetch.LoadAccount(a, d.OAuthAccount); err != nil {
					return restore.Credentials{}, fmt.Errorf("the account %q it signs in as: %w", d.OAuthAccount, err)
				}
			}
			tokens, err := st.OAuth.TokenFor(who, d.Host, sec)
			if err != nil {
				return restore.Credentials{}, err
			}
			return restore.Credentials{Token: tokens}, nil
		case st.Passwords == nil:
			return restore.Credentials{}, ErrNoPassword
		}
		pw, err := st.Passwords.Get(PasswordKey(acct))
		switch {
		case err != nil:
			return restore.Credentials{}, fmt.Errorf("%w: %w", ErrNoPassword, err)
		case pw == "":
			return restore.Credentials{}, ErrNoPassword
		}
		return restore.Credentials{Password: pw}, nil
	}
}

// Forget removes the target's password from this machine: delivery was
// turned off, or the account removed. None kept is no error.
func Forget(s credentials.Secrets, acct fetch.Account) error {
	if _, err := s.Get(PasswordKey(acct)); err != nil {
		return nil
	}
	if err := s.Delete(PasswordKey(acct)); err != nil {
		return fmt.Errorf("deliver: removing the target's password: %w", err)
	}
	return nil
}
