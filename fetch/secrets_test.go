package fetch

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"popvault/fetch/pop3test"
)

// TestKeyring stores a password in a real Secret Service: the test runs
// itself again inside a private D-Bus session with an unlocked
// gnome-keyring, so it needs no desktop and leaves nothing behind.
func TestKeyring(t *testing.T) {
	if os.Getenv("POPVAULT_IN_KEYRING_SESSION") == "" {
		script := `echo unlock | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$0" -test.run='^TestKeyring$' -test.count=1 -test.v`
		cmd := exec.Command("dbus-run-session", "--", "sh", "-c", script, os.Args[0])
		cmd.Env = append(os.Environ(), "POPVAULT_IN_KEYRING_SESSION=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestKeyring") {
			t.Fatalf("in a D-Bus session with gnome-keyring (make deps installs both): %v\n%s", err, out)
		}
		return
	}
	fallback := filepath.Join(t.TempDir(), "secrets.json")
	warned := ""
	s := NewSecrets(fallback, func(msg string) { warned = msg })
	name := fmt.Sprintf("popvault-test-%d", time.Now().UnixNano())
	if err := s.Set(name, "correct horse"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(name); err != nil || got != "correct horse" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if warned != "" || fileExists(fallback) {
		t.Fatalf("fell back to the file: %q", warned)
	}
	if err := s.Delete(name); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(name); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("after Delete: %v", err)
	}
}

// Without a keyring the password goes to a 0600 file, and the user is
// told once, when it is stored; a later run that only reads it is quiet.
func TestKeyringFallback(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	fallback := filepath.Join(t.TempDir(), "secrets.json")
	warnings := 0
	s := NewSecrets(fallback, func(string) { warnings++ })
	s.Set("a", "one")
	s.Set("b", "two")
	if got, err := s.Get("b"); err != nil || got != "two" || warnings != 1 {
		t.Fatalf("Get = %q, %v, %d warnings", got, err, warnings)
	}
	later := NewSecrets(fallback, func(string) { warnings++ })
	if got, err := later.Get("a"); err != nil || got != "one" || warnings != 1 {
		t.Fatalf("a later run's Get = %q, %v, %d warnings", got, err, warnings)
	}
	_, err := later.Get("never-stored")
	if !errors.Is(err, ErrNoSecret) || !strings.Contains(err.Error(), "keyring did not answer") {
		t.Fatalf("a missing password, keyring away: %v", err)
	}
	fi, err := os.Stat(fallback)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("fallback file: %v, %v", fi, err)
	}
	s.Delete("a")
	if _, err := s.Get("a"); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("after Delete: %v", err)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// XOAUTH2 with a token command: the command's output is the token, and
// the password store is not consulted.
func TestTokenCommand(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(3)}, true)
	e.acct.TokenCommand = "echo secret"
	e.fetcher.Secrets = &MemorySecrets{}
	if r := e.fetch(); r.Err != nil || r.New != 3 {
		t.Fatalf("fetch: %+v", r)
	}
	if e.server.Count("AUTH") != 1 || e.server.Count("PASS") != 0 {
		t.Fatal("did not authenticate with XOAUTH2")
	}
	e.acct.TokenCommand = "echo wrong"
	if r := e.fetch(); r.Err == nil || strings.Contains(r.Err.Error(), "wrong") {
		t.Fatalf("bad token: %v", r.Err)
	}
}
