package credentials

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"popvault/fetch"
)

// TokenCommands keeps each account's token command on this machine, in a
// file in ConfigDir, never in the archive: a command travels with an
// archive no more than a password does, so opening someone else's archive
// runs nothing of theirs.
type TokenCommands struct{ store *fileStore }

// NewTokenCommands keeps token commands in the file at path; empty means
// token-commands.json in ConfigDir.
func NewTokenCommands(path string) *TokenCommands {
	if path == "" {
		path = inConfigDir("token-commands.json")
	}
	return &TokenCommands{store: &fileStore{path: path}}
}

// Get returns an account's token command, or ErrNoSecret: the one kept
// under its key, or one an account saved before ids kept under its name
// (copied then under its key).
func (t *TokenCommands) Get(acct fetch.Account) (string, error) {
	return withNameKey(acct, t.store.Get, t.store.Set)
}

// Set records an account's token command, under its key.
func (t *TokenCommands) Set(acct fetch.Account, command string) error {
	return t.store.Set(Key(acct), command)
}

// Delete forgets an account's token command.
func (t *TokenCommands) Delete(acct fetch.Account) error { return deleteBoth(acct, t.store.Delete) }

// errNoTokenCommand: the account signs in with a token command that was
// never set on this machine (an archive from elsewhere, or from a version
// that kept it inside the archive).
func errNoTokenCommand(account string) error {
	return fmt.Errorf("account %s signs in with a token command, and none is set on this machine; popvault does not run a command that came inside an archive. Set it with: popvault account edit --name %s --token-command COMMAND", account, account)
}

// command is the command to run for acct: the one the caller set (an
// account dialog's, say), or the one recorded on this machine, if t is
// not nil.
func (t *TokenCommands) command(acct fetch.Account) (string, error) {
	if acct.TokenCommand != "" {
		return acct.TokenCommand, nil
	}
	if t == nil {
		return "", errNoTokenCommand(acct.Name)
	}
	cmd, err := t.Get(acct)
	if errors.Is(err, ErrNoSecret) {
		return "", errNoTokenCommand(acct.Name)
	}
	return cmd, err
}

// runTokenCommand runs the account's token command and returns the first
// line it prints. Its error output is not shown: it may hold secrets.
func runTokenCommand(ctx context.Context, command string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := shellCommand(ctx, command).Output()
	if err != nil {
		return "", fmt.Errorf("credentials: token command failed: %w", err)
	}
	token, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if token == "" {
		return "", errors.New("credentials: token command printed nothing")
	}
	return token, nil
}
