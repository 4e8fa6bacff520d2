package fetch

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/zalando/go-keyring"
)

// Secrets keeps account passwords outside the archive.
type Secrets interface {
	Get(account string) (string, error)
	Set(account, secret string) error
	Delete(account string) error
}

// ErrNoSecret: no password is stored for the account.
var ErrNoSecret = errors.New("fetch: no password stored for this account")

const keyringService = "popvault"

// NewSecrets returns the OS keyring (Secret Service, Keychain or
// Credential Manager, through zalando/go-keyring). Where no keyring
// answers, it falls back to a file readable only by the user at
// fallbackPath, and calls warn to say so when it stores a password
// there: once, when it matters, not on every cron run that reads it.
func NewSecrets(fallbackPath string, warn func(string)) Secrets {
	return &keyringSecrets{file: &fileSecrets{path: fallbackPath}, warn: warn}
}

type keyringSecrets struct {
	mu         sync.Mutex
	file       *fileSecrets
	keyringErr error // why the keyring failed; nil until it has
	warn       func(string)
	warned     sync.Once
}

// use runs kr on the keyring, or file on the file once the keyring has
// failed. storing says that file would write a password there.
func (k *keyringSecrets) use(storing bool, kr, file func() error) error {
	k.mu.Lock()
	krErr := k.keyringErr
	k.mu.Unlock()
	if krErr == nil {
		err := kr()
		if err == nil || errors.Is(err, ErrNoSecret) {
			return err
		}
		k.mu.Lock()
		k.keyringErr, krErr = err, err
		k.mu.Unlock()
	}
	if storing && k.warn != nil {
		k.warned.Do(func() {
			k.warn(fmt.Sprintf("no system keyring answered (%v); passwords are kept in %s, readable only by you", krErr, k.file.path))
		})
	}
	err := file()
	if errors.Is(err, ErrNoSecret) {
		// A password stored in the keyring that this run cannot reach
		// (cron without the desktop's session, say) looks missing: say why.
		return fmt.Errorf("%w (the system keyring did not answer: %v)", err, krErr)
	}
	return err
}

func (k *keyringSecrets) Get(account string) (string, error) {
	var s string
	err := k.use(false, func() error {
		var err error
		s, err = keyring.Get(keyringService, account)
		if errors.Is(err, keyring.ErrNotFound) {
			// An earlier run may have fallen back to the file.
			if fs, ferr := k.file.Get(account); ferr == nil {
				s = fs
				return nil
			}
			return ErrNoSecret
		}
		return err
	}, func() error {
		var err error
		s, err = k.file.Get(account)
		return err
	})
	return s, err
}

func (k *keyringSecrets) Set(account, secret string) error {
	return k.use(true, func() error { return keyring.Set(keyringService, account, secret) },
		func() error { return k.file.Set(account, secret) })
}

func (k *keyringSecrets) Delete(account string) error {
	err := k.use(false, func() error {
		err := keyring.Delete(keyringService, account)
		if errors.Is(err, keyring.ErrNotFound) {
			return nil
		}
		return err
	}, func() error { return nil })
	if ferr := k.file.Delete(account); err == nil {
		err = ferr
	}
	return err
}

// fileSecrets is the fallback: a JSON map in a 0600 file.
type fileSecrets struct {
	mu   sync.Mutex
	path string
}

func (f *fileSecrets) load() (map[string]string, error) {
	m := map[string]string{}
	b, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("fetch: secrets: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("fetch: secrets file %s is damaged", f.path)
	}
	return m, nil
}

func (f *fileSecrets) save(m map[string]string) error {
	b, _ := json.Marshal(m)
	tmp := f.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("fetch: secrets: %w", err)
	}
	if err := os.Rename(tmp, f.path); err != nil {
		return fmt.Errorf("fetch: secrets: %w", err)
	}
	return nil
}

func (f *fileSecrets) Get(account string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return "", err
	}
	s, ok := m[account]
	if !ok {
		return "", ErrNoSecret
	}
	return s, nil
}

func (f *fileSecrets) Set(account, secret string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return err
	}
	m[account] = secret
	return f.save(m)
}

func (f *fileSecrets) Delete(account string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil || m[account] == "" {
		return err
	}
	delete(m, account)
	return f.save(m)
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
