package cli

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"popvault/fetch/pop3test"
	"popvault/schedule"
)

// userManager answers systemctl --user as a machine with a systemd user
// manager does, and records the calls.
type userManager struct{ calls []string }

func (u *userManager) Run(cmd *exec.Cmd) error {
	u.calls = append(u.calls, strings.Join(cmd.Args, " "))
	if cmd.Stdout != nil {
		io.WriteString(cmd.Stdout, "")
	}
	return nil
}

// TestScheduleOnOffStatus turns the backup on, reads it back, and off;
// before turning it on, each account's password is read in the job's
// environment, and the one with none stored is named, with the fix.
func TestScheduleOnOffStatus(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	v := newVault(t)
	units := t.TempDir()
	sys := &userManager{}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	v.extra = func(e *Env) {
		e.Scheduler = schedule.New(schedule.Options{Runner: sys, UnitDir: units})
		e.Exe = exe
	}
	v.addOn(s, "home", "secret")
	v.addOn(s, "lost", "secret")
	forgetPassword(t, filepath.Join(v.config, "popvault", "secrets.json"), "lost#")

	if out := v.ok("", "schedule", "status"); !strings.Contains(out, "off") {
		t.Errorf("status before on: %q", out)
	}
	out, errs, code := v.run("", "schedule", "on", "--every", "30")
	if code != 1 || !strings.Contains(out, "on, every 30 minutes, by systemd") ||
		!strings.Contains(errs, "lost would fail when popvault is closed: no password for this account can be read here: none is kept in popvault's file, and no keyring is open (a backup while nobody is logged in finds none). "+
			"If your desktop's keyring holds it, log in at the desktop and turn the backup on from there (it then runs while you are logged in); "+
			"otherwise type the password again: Edit the account, or popvault account edit --name lost --password-stdin") ||
		strings.Contains(errs, "home would fail") {
		t.Fatalf("schedule on: exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
	name := schedule.Name(v.path)
	if _, err := os.Stat(filepath.Join(units, name+".timer")); err != nil {
		t.Errorf("no timer installed: %v", err)
	}
	if out := v.ok("", "schedule", "status"); !strings.Contains(out, "on, every 30 minutes, by systemd") {
		t.Errorf("status after on: %q", out)
	}
	if out := v.ok("", "schedule", "off"); !strings.Contains(out, "off") {
		t.Errorf("off: %q", out)
	}
	if _, err := os.Stat(filepath.Join(units, name+".timer")); !os.IsNotExist(err) {
		t.Errorf("the timer is still there after off: %v", err)
	}
	if out := v.ok("", "schedule", "status"); !strings.Contains(out, "off") {
		t.Errorf("status after off: %q", out)
	}
}

// forgetPassword deletes the entries whose key begins with prefix from
// the password file.
func forgetPassword(t *testing.T, file, prefix string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			delete(m, k)
		}
	}
	b, _ = json.Marshal(m)
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
