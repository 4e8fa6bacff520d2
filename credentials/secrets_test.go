package credentials

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"popvault/fetch"
	"popvault/fetch/pop3test"
)

// inKeyringSession runs the calling test again inside a private D-Bus
// session with a gnome-keyring of its own, unlocked or locked, so it
// needs no desktop and leaves nothing behind. It reports whether this is
// the run inside; the outer run has already checked the inner one.
// Under -short (make check) the test skips.
func inKeyringSession(t *testing.T, unlocked bool) bool {
	if os.Getenv("POPVAULT_IN_KEYRING_SESSION") != "" {
		return true
	}
	if testing.Short() {
		t.Skip("needs a D-Bus session with gnome-keyring: make check (-short) skips it, make test runs it")
	}
	script := `if [ -n "$UNLOCKED" ]; then echo unlock | gnome-keyring-daemon --unlock --components=secrets
		else gnome-keyring-daemon --start --components=secrets; fi >/dev/null &&
		exec "$0" -test.run="^$1\$" -test.count=1 -test.v`
	cmd := exec.Command("dbus-run-session", "--", "sh", "-c", script, os.Args[0], t.Name())
	cmd.Env = append(os.Environ(), "POPVAULT_IN_KEYRING_SESSION=1")
	if unlocked {
		cmd.Env = append(cmd.Env, "UNLOCKED=1")
	}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("in a D-Bus session with gnome-keyring (make deps installs both): %v\n%s", err, out)
	}
	return false
}

// TestKeyring stores a password in a real Secret Service.
func TestKeyring(t *testing.T) {
	if !inKeyringSession(t, true) {
		return
	}
	fallback := filepath.Join(t.TempDir(), "secrets.json")
	warned := ""
	s := NewSecrets(SecretsOptions{File: fallback, Warn: func(msg string) { warned = msg }})
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
	if where := Where(s); !strings.Contains(where, "system keyring") || !strings.Contains(where, "unlocked") {
		t.Fatalf("Where = %q", where)
	}
	if err := s.Delete(name); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(name); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("after Delete: %v", err)
	}
}

// A keyring that exists but will not open (locked, its prompt dismissed:
// here nobody can answer it) is an error, never a reason to write the
// password to a file instead; and a delete it refuses is reported.
func TestKeyringLocked(t *testing.T) {
	if !inKeyringSession(t, false) {
		return
	}
	fallback := filepath.Join(t.TempDir(), "secrets.json")
	s := NewSecrets(SecretsOptions{File: fallback})
	err := s.Set("a", "one")
	if !errors.Is(err, ErrKeyring) || fileExists(fallback) {
		t.Fatalf("Set on a locked keyring: %v (file written: %v)", err, fileExists(fallback))
	}
	if _, err := s.Get("a"); !errors.Is(err, ErrKeyring) {
		t.Fatalf("Get on a locked keyring: %v", err)
	}
	if err := s.Delete("a"); !errors.Is(err, ErrKeyring) {
		t.Fatalf("Delete on a locked keyring: %v", err)
	}
}

// With no keyring at all, the password goes to a 0600 file in a 0700
// folder, written whole or not at all, and the user is told once, when it
// is stored; a later run that only reads it is quiet.
func TestKeyringAbsent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config", "popvault")
	fallback := filepath.Join(dir, "secrets.json")
	absent := func() error { return errNoSessionBusForTest }
	warnings := 0
	s := NewSecrets(SecretsOptions{File: fallback, Warn: func(string) { warnings++ }})
	s.(*keyringSecrets).present = absent
	s.Set("a", "one")
	s.Set("b", "two")
	if got, err := s.Get("b"); err != nil || got != "two" || warnings != 1 {
		t.Fatalf("Get = %q, %v, %d warnings", got, err, warnings)
	}
	later := NewSecrets(SecretsOptions{File: fallback, Warn: func(string) { warnings++ }})
	later.(*keyringSecrets).present = absent
	if got, err := later.Get("a"); err != nil || got != "one" || warnings != 1 {
		t.Fatalf("a later run's Get = %q, %v, %d warnings", got, err, warnings)
	}
	_, err := later.Get("never-stored")
	if !errors.Is(err, ErrNoSecret) || !strings.Contains(err.Error(), "no system keyring") {
		t.Fatalf("a missing password, keyring away: %v", err)
	}
	if where := Where(later); !strings.Contains(where, fallback) {
		t.Fatalf("Where = %q", where)
	}
	// Windows keeps no Unix modes (the profile folder's ACL protects the
	// file there): the modes are checked where they mean something.
	fi, err := os.Stat(fallback)
	if err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("fallback file: %v, %v", fi, err)
	}
	if fi, err := os.Stat(dir); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o700 {
		t.Fatalf("its folder: %v, %v", fi, err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(left) > 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	s.Delete("a")
	if _, err := s.Get("a"); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("after Delete: %v", err)
	}
}

var errNoSessionBusForTest = errors.New("no session bus (test)")

// popvault 1 kept the fallback file beside the archive: its passwords are
// still found, and deleted with their account.
func TestKeyringOldFile(t *testing.T) {
	old := filepath.Join(t.TempDir(), "secrets.json")
	os.WriteFile(old, []byte(`{"a":"one"}`), 0o600)
	s := NewSecrets(SecretsOptions{File: filepath.Join(t.TempDir(), "secrets.json"), OldFile: old})
	s.(*keyringSecrets).present = func() error { return errNoSessionBusForTest }
	if got, err := s.Get("a"); err != nil || got != "one" {
		t.Fatalf("Get = %q, %v", got, err)
	}
	if err := s.Delete("a"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(old); strings.Contains(string(b), "one") {
		t.Fatalf("the old file still holds it: %s", b)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// XOAUTH2 with a token command: the command's output is the token, and
// the password store is not consulted.
func TestTokenCommand(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(3)}, true)
	e.acct.TokenCommand = "echo secret"
	e.store.Passwords = &MemorySecrets{}
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

// A token command is never read from the archive: an archive that holds
// one (someone else's, or an older popvault's) runs nothing; the command
// set on this machine runs.
func TestTokenCommandNotFromArchive(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(2)}, true)
	ran := filepath.Join(t.TempDir(), "ran")
	acct := e.acct
	acct.TokenCommand = "echo secret"
	if err := fetch.SaveAccount(e.arch, acct); err != nil {
		t.Fatal(err)
	}
	// What an older popvault wrote: the command inside the settings.
	b, _ := e.arch.Account(acct.Name).Settings()
	command, _ := json.Marshal("touch " + ran + "; echo secret")
	planted := strings.Replace(string(b), `"token_auth":true`, `"token_command":`+string(command), 1)
	if err := e.arch.Account(acct.Name).PutSettings([]byte(planted)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "echo secret") {
		t.Fatalf("SaveAccount wrote the command into the archive: %s", b)
	}
	loaded, err := fetch.LoadAccount(e.arch, acct.Name)
	if err != nil || !loaded.TokenAuth || loaded.TokenCommand != "" {
		t.Fatalf("loaded %+v, %v", loaded, err)
	}
	e.store.Passwords = &MemorySecrets{}
	e.store.TokenCommands = NewTokenCommands(filepath.Join(t.TempDir(), "token-commands.json"))
	r := e.fetcher.Fetch(t.Context(), loaded)
	if r.Err == nil || !strings.Contains(r.Err.Error(), "account edit") || fileExists(ran) {
		t.Fatalf("fetch with the archive's command: %v (ran: %v)", r.Err, fileExists(ran))
	}
	e.store.TokenCommands.Set(acct, "echo secret")
	if r := e.fetcher.Fetch(t.Context(), loaded); r.Err != nil || r.New != 2 {
		t.Fatalf("with this machine's command: %+v", r)
	}
}
