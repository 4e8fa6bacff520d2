package fetch

import (
	"errors"
	"fmt"
)

// Credentials are the places this machine keeps what accounts sign in
// with, each under the account's [Account.Key] and never in the archive:
// passwords, token commands and OAuth sign-ins. A nil field is a place
// not used (tests, the demo).
type Credentials struct {
	Passwords     Secrets
	TokenCommands *TokenCommands
	OAuth         *OAuthStore
}

// Forget removes everything acct signs in with from this machine: its
// password, its token command, and its OAuth sign-in (client, token,
// and the access token in memory), whichever way it signs in now, since
// it may have signed in another way before. Removing an account, the
// window and the command line both call it. What could not be removed is
// said, place by place.
func (c Credentials) Forget(acct Account) error {
	return errors.Join(c.forget(acct, "password"), c.forget(acct, "token"), c.forget(acct, "oauth"))
}

// ForgetReplaced removes what before signed in with once after signs in
// another way (a token command replaced by a password, a password by an
// OAuth sign-in): nothing is kept that nothing uses. Nothing is touched
// when the way is the same: an unchanged keyring is not asked.
func (c Credentials) ForgetReplaced(before, after Account) error {
	if before.SignsInWith() == after.SignsInWith() {
		return nil
	}
	return c.forget(before, before.SignsInWith())
}

func (c Credentials) forget(acct Account, what string) error {
	var err error
	switch {
	case what == "password" && c.Passwords != nil:
		err = deleteBoth(acct, c.Passwords.Delete)
	case what == "token" && c.TokenCommands != nil:
		err = c.TokenCommands.Delete(acct)
	case what == "oauth" && c.OAuth != nil:
		err = c.OAuth.Delete(acct)
	}
	if err == nil {
		return nil
	}
	thing := map[string]string{"password": "password", "token": "token command", "oauth": "OAuth sign-in"}[what]
	return fmt.Errorf("fetch: deleting the %s of %s: %w", thing, acct.Name, err)
}
