package credentials

import (
	"errors"

	"popvault/fetch"
)

// Key is what the account's password, token command and OAuth sign-in
// are kept under on this machine: its name and its id ("home#Q2X…"), or
// its name alone when it has no id (an account made in code, or read
// from an archive opened read-only).
func Key(a fetch.Account) string {
	if a.ID == "" {
		return a.Name
	}
	return a.Name + "#" + a.ID
}

// nameKey is the bare name an account saved before ids kept its secrets
// under, or "" when it has none to look for (see [fetch.Account.NameKeyed]).
func nameKey(a fetch.Account) string {
	if !a.NameKeyed || Key(a) == a.Name {
		return ""
	}
	return a.Name
}

// withNameKey reads what acct keeps under its key with get, or else what
// an account saved before ids kept under its bare name, copied with set
// under its key so that the two stay apart from now on. A copy that
// fails is no reason to refuse the value: the name's entry is still
// there, and the next read copies again.
func withNameKey(acct fetch.Account, get func(string) (string, error), set func(string, string) error) (string, error) {
	v, err := get(Key(acct))
	name := nameKey(acct)
	if !errors.Is(err, ErrNoSecret) || name == "" {
		return v, err
	}
	v, nerr := get(name)
	if errors.Is(nerr, ErrNoSecret) {
		return "", err // says where it looked first
	}
	if nerr != nil {
		return "", nerr
	}
	set(Key(acct), v)
	return v, nil
}

// deleteBoth deletes what acct keeps under its key and, for an account
// saved before ids, under its bare name: removed, an account leaves
// nothing of its own behind, as an earlier popvault's removal did not
// either.
func deleteBoth(acct fetch.Account, del func(string) error) error {
	err := del(Key(acct))
	if name := nameKey(acct); name != "" {
		err = errors.Join(err, del(name))
	}
	return err
}
