package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// ConfigDir is popvault's folder for what belongs to this machine and
// user rather than to an archive, which may travel on a USB stick: the
// fallback password file, token commands, and OAuth clients. It is
// $XDG_CONFIG_HOME/popvault (normally ~/.config/popvault) on Linux,
// %AppData%\popvault on Windows.
func ConfigDir() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("credentials: no folder for settings: %w", err)
	}
	return filepath.Join(dir, "popvault"), nil
}

// inConfigDir is the path of name in ConfigDir, or name alone when there
// is none (the error then comes from opening it).
func inConfigDir(name string) string {
	dir, err := ConfigDir()
	if err != nil {
		return name
	}
	return filepath.Join(dir, name)
}

// fileStore is a JSON map of account names to strings in a file only its
// user may read: 0600, in a 0700 folder it creates. A change is written to
// a temporary file, synced and renamed over the old one, so a crash leaves
// the old map or the new, never half of one.
type fileStore struct {
	mu   sync.Mutex
	path string
}

func (f *fileStore) load() (map[string]string, error) {
	m := map[string]string{}
	b, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("credentials: the file %s is damaged", f.path)
	}
	return m, nil
}

func (f *fileStore) save(m map[string]string) error {
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(f.path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a rename, there is nothing by that name
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return fmt.Errorf("credentials: %w", err)
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.path)
	}
	if err != nil {
		return fmt.Errorf("credentials: writing %s: %w", f.path, err)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable where the system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func (f *fileStore) Get(account string) (string, error) {
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

func (f *fileStore) Set(account, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return err
	}
	m[account] = value
	return f.save(m)
}

func (f *fileStore) Delete(account string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, err := f.load()
	if err != nil {
		return err
	}
	if _, ok := m[account]; !ok {
		return nil
	}
	delete(m, account)
	return f.save(m)
}
