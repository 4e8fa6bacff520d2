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

// SignInAccount is what a sign-in made for an account's target alone
// (Sign in with Google or Microsoft in the account dialog) is kept under:
// the account's delivery key, so that it goes with the account and no
// other's target uses it, and the target's provider and server, so that
// the store's CheckHost lets its tokens go only there.
func SignInAccount(acct fetch.Account) fetch.Account {
	d := acct.Deliver
	if d == nil {
		d = &fetch.Delivery{}
	}
	return fetch.Account{Name: PasswordKey(acct), OAuth: d.OAuth, Host: d.Host, Security: d.Security}
}

// SignInFrom gives each account's target what it signs in with, from
// what this machine keeps: the password under PasswordKey, an OAuth
// sign-in kept for the account's target (SignInAccount), or else one kept
// for the target's server and user (restore's), or the sign-in of the
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
			if own := SignInAccount(acct); d.OAuth != "" {
				if _, err := st.OAuth.Client(own); err == nil {
					who = own
				}
			}
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

// Forget removes what the account's target signs in with from this
// machine, its password and its own OAuth sign-in: delivery was turned
// off, or the account removed. None kept is no error. A sign-in kept for
// the server and user (restore's) belongs to no account and stays.
func Forget(st *credentials.Store, acct fetch.Account) error {
	var errs []error
	if st.Passwords != nil {
		if _, err := st.Passwords.Get(PasswordKey(acct)); err == nil {
			if err := st.Passwords.Delete(PasswordKey(acct)); err != nil {
				errs = append(errs, fmt.Errorf("deliver: removing the target's password: %w", err))
			}
		}
	}
	if st.OAuth != nil {
		own := SignInAccount(acct)
		if _, err := st.OAuth.Client(own); err == nil {
			if err := st.OAuth.Delete(own); err != nil {
				errs = append(errs, fmt.Errorf("deliver: removing the target's sign-in: %w", err))
			}
		}
	}
	return errors.Join(errs...)
}
