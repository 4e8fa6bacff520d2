package credentials

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"popvault/fetch"

	"github.com/zalando/go-keyring"
)

// Secrets keeps account passwords outside the archive, each under a key
// (see [Password] and [SetPassword], which know an account's).
type Secrets interface {
	Get(account string) (string, error)
	Set(account, secret string) error
	Delete(account string) error
}

// Locator is a Secrets that can say, in a sentence, where it keeps
// passwords and whether an unattended fetch (cron, a systemd timer) can
// read them there.
type Locator interface {
	Where() string
}

// Where says where s keeps passwords, for the account dialog and
// `account add`.
func Where(s Secrets) string {
	if l, ok := s.(Locator); ok {
		return l.Where()
	}
	return "Passwords are kept outside the archive."
}

// Password returns acct's password: the one kept under its key, or, for
// an account saved before there were ids, the one kept under its bare
// name, which is then copied under its key (and left where it was: see
// [fetch.Account.NameKeyed]).
func Password(s Secrets, acct fetch.Account) (string, error) {
	return withNameKey(acct, s.Get, s.Set)
}

// SetPassword keeps acct's password, under its key.
func SetPassword(s Secrets, acct fetch.Account, password string) error {
	return s.Set(Key(acct), password)
}

// ErrNoSecret: no password is stored for the account.
var ErrNoSecret = errors.New("credentials: no password stored for this account")

// ErrNoKeyring comes with ErrNoSecret where no keyring was reachable, so
// that only the file was asked: the password may well be in the
// desktop's keyring, which a run while nobody is logged in (cron, a
// timer) cannot reach. "Type it again" is then not the whole answer.
var ErrNoKeyring = errors.New("no system keyring is reachable")

// ErrKeyring: the system keyring exists but did not give or take the
// password: locked, its unlock prompt dismissed, or not answering.
var ErrKeyring = errors.New("credentials: the system keyring refused")

const keyringService = "popvault"

// keyringTimeout bounds a keyring call: one waiting for an unlock prompt
// that nobody can answer (a fetch from cron) must not hold the archive.
const keyringTimeout = time.Minute

// SecretsOptions configure NewSecrets. The zero value means defaults.
type SecretsOptions struct {
	// Service names the keyring entries; empty means "popvault", where
	// passwords go. OAuth tokens go under "popvault-oauth".
	Service string
	// File is the fallback file; empty means secrets.json in ConfigDir.
	File string
	// OldFile is where an earlier popvault kept its fallback file (beside
	// the archive): read when File lacks a password, never written.
	OldFile string
	// Warn is told, once and only when a password is stored in the file,
	// that no keyring exists.
	Warn func(string)
}

// NewSecrets returns the OS keyring (Secret Service, Keychain or
// Credential Manager, through zalando/go-keyring). Only where no keyring
// exists at all (no session bus, as under cron when the user is logged
// out, or no Secret Service on it) does it use a file readable only by the
// user, in the user's config folder, never beside the archive. A keyring
// that exists but refuses (locked, a dismissed unlock prompt) is an
// error, not a reason to write the password somewhere weaker.
func NewSecrets(opts SecretsOptions) Secrets {
	if opts.Service == "" {
		opts.Service = keyringService
	}
	if opts.File == "" {
		opts.File = inConfigDir("secrets.json")
	}
	k := &keyringSecrets{service: opts.Service, file: &fileStore{path: opts.File}, warn: opts.Warn}
	if opts.OldFile != "" {
		k.old = &fileStore{path: opts.OldFile}
	}
	return k
}

type keyringSecrets struct {
	service string
	file    *fileStore
	old     *fileStore // an earlier version's file, read-only
	warn    func(string)
	warned  sync.Once

	probe   sync.Once
	absent  error // why there is no keyring; nil when there is one
	present func() error
}

// keyringAbsent reports, once per process, why there is no keyring, or
// nil when there is one.
func (k *keyringSecrets) keyringAbsent() error {
	k.probe.Do(func() {
		probe := k.present
		if probe == nil {
			probe = keyringPresent
		}
		k.absent = probe()
	})
	return k.absent
}

// call runs a keyring operation with a time limit.
func call(op func() error) error {
	done := make(chan error, 1)
	go func() { done <- op() }()
	select {
	case err := <-done:
		return err
	case <-time.After(keyringTimeout):
		return fmt.Errorf("%w: it did not answer within %v (waiting for an unlock prompt nobody can see?)", ErrKeyring, keyringTimeout)
	}
}

func keyringErr(err error) error {
	switch {
	case errors.Is(err, ErrKeyring):
		return err
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("%w: the entry is larger than this system's keyring takes", ErrKeyring)
	}
	return fmt.Errorf("%w: %v (is it locked?)", ErrKeyring, err)
}

func (k *keyringSecrets) Get(account string) (string, error) {
	if why := k.keyringAbsent(); why != nil {
		s, err := k.fileGet(account)
		if errors.Is(err, ErrNoSecret) {
			return "", fmt.Errorf("%w (%w: %v)", err, ErrNoKeyring, why)
		}
		return s, err
	}
	var s string
	err := call(func() error {
		var err error
		s, err = keyring.Get(k.service, account)
		return err
	})
	if errors.Is(err, keyring.ErrNotFound) {
		// Stored while this user had no keyring (over SSH, say).
		return k.fileGet(account)
	}
	if err != nil {
		return "", keyringErr(err)
	}
	return s, nil
}

// fileGet reads the fallback file, then an earlier version's.
func (k *keyringSecrets) fileGet(account string) (string, error) {
	s, err := k.file.Get(account)
	if errors.Is(err, ErrNoSecret) && k.old != nil {
		return k.old.Get(account)
	}
	return s, err
}

func (k *keyringSecrets) Set(account, secret string) error {
	if why := k.keyringAbsent(); why != nil {
		if k.warn != nil {
			k.warned.Do(func() {
				k.warn(fmt.Sprintf("no system keyring (%v): passwords are kept in %s, readable only by you", why, k.file.path))
			})
		}
		return k.file.Set(account, secret)
	}
	if err := call(func() error { return keyring.Set(k.service, account, secret) }); err != nil {
		return keyringErr(err)
	}
	// A password kept in the file while there was no keyring would
	// otherwise outlive its replacement.
	return k.file.Delete(account)
}

// Delete removes the password wherever it is; a keyring that refuses is
// reported, so that nobody is told a password is gone while it is not.
func (k *keyringSecrets) Delete(account string) error {
	var errs []error
	if k.keyringAbsent() == nil {
		err := call(func() error { return keyring.Delete(k.service, account) })
		if err != nil && !errors.Is(err, keyring.ErrNotFound) {
			errs = append(errs, keyringErr(err))
		}
	}
	errs = append(errs, k.file.Delete(account))
	if k.old != nil {
		errs = append(errs, k.old.Delete(account))
	}
	return errors.Join(errs...)
}

func (k *keyringSecrets) Where() string {
	if why := k.keyringAbsent(); why != nil {
		return fmt.Sprintf("The password is kept in %s, readable only by you, because there is no system keyring here (%v). Fetches from cron or a systemd timer read it there.", k.file.path, why)
	}
	switch runtime.GOOS {
	case "windows":
		return "The password is kept in Windows' Credential Manager, under your Windows account (as popvault:NAME#ID, the account's name and an id of its own); a scheduled task that runs as you reads it there."
	case "darwin":
		return "The password is kept in your login keychain."
	}
	return "The password is kept in your system keyring. A fetch from cron or a systemd timer can read it only while you are logged in and the keyring is unlocked; a locked keyring is not a password store for unattended fetches."
}

// MemorySecrets keeps passwords in memory, for tests and --demo.
type MemorySecrets struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *MemorySecrets) Get(account string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[account]
	if !ok {
		return "", ErrNoSecret
	}
	return v, nil
}

func (s *MemorySecrets) Set(account, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[account] = secret
	return nil
}

func (s *MemorySecrets) Delete(account string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, account)
	return nil
}

func (s *MemorySecrets) Where() string {
	return "The password is kept in memory, for this session only."
}
