package ui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"popvault/fetch/pop3test"
	"popvault/schedule"
)

// The switch's test plays a Linux machine with a systemd user manager
// and a shell script for popvault: Windows' Task Scheduler path is
// package schedule's own (its tests run under Wine).

// recordedSystemd answers systemctl --user as a machine with a systemd
// user manager would (its show empty), and records the calls.
type recordedSystemd struct{ calls []string }

func (r *recordedSystemd) Run(cmd *exec.Cmd) error {
	r.calls = append(r.calls, strings.Join(cmd.Args, " "))
	return nil
}

// TestScheduleSwitch: Settings' switch shows what is installed, read back
// from the system, and installs and removes the job.
func TestScheduleSwitch(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	units := t.TempDir()
	// popvault's check-secrets, as the job's program answers it: every
	// account can sign in.
	exe := filepath.Join(t.TempDir(), "popvault")
	os.WriteFile(exe, []byte("#!/bin/sh\ncat >/dev/null\necho '[]'\n"), 0o700)
	u, w := newTestUIWith(t, s, Options{Scheduler: schedule.New(schedule.Options{Runner: &recordedSystemd{}, UnitDir: units}), Exe: exe})
	ui(u.showSettings)
	var check *widget.Check
	eventually(t, "the switch, off", func() bool {
		check = findCheck(w, "Keep backing up when popvault is closed")
		return check != nil && !check.Disabled() && !check.Checked
	})
	ui(func() { test.Tap(check) })
	timer := filepath.Join(units, schedule.Name(u.opts.ArchivePath)+".timer")
	eventually(t, "the switch, on", func() bool { return !check.Disabled() && check.Checked })
	if _, err := os.Stat(timer); err != nil {
		t.Fatalf("no timer installed: %v", err)
	}
	ui(func() { test.Tap(check) })
	eventually(t, "the switch, off again", func() bool { return !check.Disabled() && !check.Checked })
	if _, err := os.Stat(timer); !os.IsNotExist(err) {
		t.Fatalf("the timer is still there: %v", err)
	}
}
