package schedule

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-systemd/v22/unit"
)

// systemdAnswers is a user manager that answers, has no last run to
// report, and a user without a crontab.
func systemdAnswering(line string, _ []byte) reply {
	switch {
	case strings.HasPrefix(line, "crontab -l"):
		return reply{stderr: "no crontab for alice", fail: true}
	case strings.HasPrefix(line, "systemctl --user show --timestamp=unix"):
		return reply{stdout: "Result=success\nExecMainStatus=0\nExecMainExitTimestamp=\n"}
	}
	return reply{}
}

// oddFolder makes a folder whose name holds what ExecStart= and a shell
// treat specially, with an executable file in it standing for popvault.
// (systemd refuses quotes and backslashes in a program's path, not in
// its arguments: TestSystemdRefusesQuotesInProgram.)
func oddFolder(t *testing.T) (dir, exe string) {
	// "%h" is a specifier (the home folder), "$HOME" a variable: either,
	// expanded, names a program that is not there.
	dir = filepath.Join(t.TempDir(), `100%h $HOME & co`)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	exe = filepath.Join(dir, "popvault")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, exe
}

// The units popvault writes pass systemd's own check (systemd-analyze
// verify, with no warning), run at the interval asked for, rounded down
// to one a calendar repeats evenly (systemd-analyze calendar), and read
// back as written; installing runs daemon-reload and enable --now.
func TestSystemdUnits(t *testing.T) {
	dir, exe := oddFolder(t)
	cases := map[string]struct {
		archive string
		every   time.Duration
		want    time.Duration
		env     []string
	}{
		"default archive, an hour":      {every: time.Hour, want: time.Hour},
		"every minute":                  {every: time.Minute, want: time.Minute},
		"15 minutes":                    {every: 15 * time.Minute, want: 15 * time.Minute},
		"45 minutes is every 30":        {every: 45 * time.Minute, want: 30 * time.Minute},
		"90 minutes is every hour":      {every: 90 * time.Minute, want: time.Hour},
		"3 hours":                       {every: 3 * time.Hour, want: 3 * time.Hour},
		"a day":                         {every: 24 * time.Hour, want: 24 * time.Hour},
		"two days is every day":         {every: 48 * time.Hour, want: 24 * time.Hour},
		"an archive with an odd name":   {archive: filepath.Join(dir, `it's "mail" $1 %h\.db`), every: 10 * time.Minute, want: 10 * time.Minute},
		"environment with odd contents": {every: time.Hour, want: time.Hour, env: []string{"XDG_CONFIG_HOME=" + dir, `XDG_DATA_HOME=/a "b"\/%n`}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			units := t.TempDir()
			rec := &recorder{t: t, answer: systemdAnswering}
			s := New(Options{Runner: rec, OS: "linux", UnitDir: units})
			job, err := s.Install(context.Background(), Spec{Exe: exe, Archive: c.archive, Every: c.every, Env: c.env})
			if err != nil {
				t.Fatal(err)
			}
			jobName := Name(c.archive)
			sameCalls(t, rec.calls, []string{
				"systemctl --user show --property=Version",
				"crontab -l",
				"systemctl --user daemon-reload",
				"systemctl --user enable --now " + jobName + ".timer",
				"systemctl --user show --property=Version",
				"systemctl --user show --timestamp=unix --property=Result,ExecMainStatus,ExecMainExitTimestamp " + jobName + ".service",
			})
			wantCmd := []string{exe, "fetch", "--quiet"}
			if c.archive != "" {
				wantCmd = []string{exe, "--archive", c.archive, "fetch", "--quiet"}
			}
			if job.Mechanism != Systemd || job.Every != c.want || !slices.Equal(job.Command, wantCmd) || !slices.Equal(job.Env, c.env) || job.LastRun != nil {
				t.Errorf("read back: %+v\nwant every %v, command %q, env %q", job, c.want, wantCmd, c.env)
			}
			service, timer := filepath.Join(units, jobName+".service"), filepath.Join(units, jobName+".timer")
			verifyUnits(t, service, timer)
			hasOptions(t, service, "Service", "Type=oneshot", "KillMode=process")
			if c.archive != "" {
				// As systemd.service(5) and systemd.unit(5) say to write
				// it: specifiers as %%, variables in arguments as $$,
				// quotes and backslashes escaped within double quotes.
				base := strings.TrimSuffix(dir, `100%h $HOME & co`)
				want := `"` + base + `100%%h $HOME & co/popvault" "--archive" "` + base + `100%%h $$HOME & co/it's \"mail\" $$1 %%h\\.db" "fetch" "--quiet"`
				hasOptions(t, service, "Service", "ExecStart="+want)
			}
			hasOptions(t, timer, "Timer", "Persistent=true")
			hasOptions(t, timer, "Install", "WantedBy=timers.target")
			calendar := strings.TrimPrefix(job.Schedule, "OnCalendar=")
			if gap := calendarGap(t, calendar); gap != c.want {
				t.Errorf("systemd runs %q every %v, want %v", calendar, gap, c.want)
			}
		})
	}
}

// hasOptions checks that a unit file's section holds each NAME=VALUE.
func hasOptions(t *testing.T, path, section string, want ...string) {
	t.Helper()
	opts, err := readUnit(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range want {
		name, value, _ := strings.Cut(w, "=")
		if !slices.ContainsFunc(opts, func(o *unit.UnitOption) bool { return o.Section == section && o.Name == name && o.Value == value }) {
			t.Errorf("%s has no %s in [%s]", filepath.Base(path), w, section)
		}
	}
}

// verifyUnits runs systemd-analyze verify on the units as a user
// manager would read them; any word from it is a finding.
func verifyUnits(t *testing.T, units ...string) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs systemd-analyze: make check (-short) skips it, make test runs it")
	}
	runtime := t.TempDir() // a user manager's runtime folder, which verify --user needs
	cmd := exec.Command("systemd-analyze", append([]string{"--user", "verify"}, units...)...)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+runtime, "SYSTEMD_LOG_COLOR=0")
	out, err := cmd.CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		b, _ := os.ReadFile(units[0])
		t.Errorf("systemd-analyze verify: %v\n%s\n%s", err, out, b)
	}
}

// calendarGap asks systemd when a calendar event elapses next, three
// times, and returns the time between (the same twice, or it fails).
func calendarGap(t *testing.T, spec string) time.Duration {
	t.Helper()
	if testing.Short() {
		t.Skip("needs systemd-analyze: make check (-short) skips it, make test runs it")
	}
	cmd := exec.Command("systemd-analyze", "calendar", "--iterations=3", spec)
	cmd.Env = append(os.Environ(), "TZ=UTC")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze calendar %q: %v\n%s", spec, err, out)
	}
	var times []time.Time
	for _, line := range strings.Split(string(out), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "Next elapse:") || strings.HasPrefix(line, "Iter. #") {
			_, v, _ := strings.Cut(line, ": ")
			at, err := time.Parse("Mon 2006-01-02 15:04:05 MST", strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("systemd-analyze calendar: %q: %v", line, err)
			}
			times = append(times, at)
		}
	}
	if len(times) != 3 || times[1].Sub(times[0]) != times[2].Sub(times[1]) {
		t.Fatalf("systemd-analyze calendar %q: uneven or missing times:\n%s", spec, out)
	}
	return times[1].Sub(times[0])
}

// systemd refuses a program whose path holds a quote or a backslash: so
// does Install, in words, before writing anything.
func TestSystemdRefusesQuotesInProgram(t *testing.T) {
	units := t.TempDir()
	rec := &recorder{t: t, answer: systemdAnswering}
	s := New(Options{Runner: rec, OS: "linux", UnitDir: units})
	_, err := s.Install(context.Background(), Spec{Exe: `/opt/it's/popvault`})
	if err == nil || !strings.Contains(err.Error(), "move popvault to a folder") {
		t.Fatalf("got %v", err)
	}
	if left := listDir(t, units); len(left) > 0 {
		t.Errorf("written all the same: %q", left)
	}
}

// Remove disables and deletes one archive's units and its enabled link,
// leaves another archive's alone, and says when there was nothing.
func TestSystemdRemove(t *testing.T) {
	_, exe := oddFolder(t)
	units := t.TempDir()
	rec := &recorder{t: t, answer: systemdAnswering}
	s := New(Options{Runner: rec, OS: "linux", UnitDir: units})
	ctx := context.Background()
	other := filepath.Join(t.TempDir(), "other.db")
	for _, archive := range []string{"", other} {
		if _, err := s.Install(ctx, Spec{Exe: exe, Archive: archive}); err != nil {
			t.Fatal(err)
		}
	}
	// What enable made, as systemctl makes it.
	wants := filepath.Join(units, "timers.target.wants")
	os.MkdirAll(wants, 0o755)
	os.Symlink(filepath.Join(units, "popvault-fetch.timer"), filepath.Join(wants, "popvault-fetch.timer"))
	os.Symlink(filepath.Join(units, Name(other)+".timer"), filepath.Join(wants, Name(other)+".timer"))

	rec.calls = nil
	if err := s.Remove(ctx, ""); err != nil {
		t.Fatal(err)
	}
	sameCalls(t, rec.calls, []string{
		"systemctl --user show --property=Version",
		"systemctl --user disable --now popvault-fetch.timer",
		"systemctl --user daemon-reload",
		"crontab -l",
	})
	left := listDir(t, units)
	want := []string{Name(other) + ".service", Name(other) + ".timer", "timers.target.wants"}
	if !slices.Equal(left, want) {
		t.Errorf("left in the unit folder: %q, want %q", left, want)
	}
	if w := listDir(t, wants); !slices.Equal(w, []string{Name(other) + ".timer"}) {
		t.Errorf("left enabled: %q", w)
	}
	if err := s.Remove(ctx, ""); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("removing again: %v, want ErrNotInstalled", err)
	}
	if _, err := s.Status(ctx, ""); !errors.Is(err, ErrNotInstalled) {
		t.Errorf("status after removal: %v, want ErrNotInstalled", err)
	}
	// Without a user manager (logged out, or it stopped), the files go
	// all the same.
	s = New(Options{Runner: &recorder{t: t, answer: func(line string, _ []byte) reply {
		if strings.HasPrefix(line, "systemctl") {
			return reply{stderr: "Failed to connect to bus: No medium found", fail: true}
		}
		return systemdAnswering(line, nil)
	}}, OS: "linux", UnitDir: units})
	if err := s.Remove(ctx, other); err != nil {
		t.Fatal(err)
	}
	if left := listDir(t, units); !slices.Equal(left, []string{"timers.target.wants"}) {
		t.Errorf("left after removing without a manager: %q", left)
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// The last run comes from systemctl show, in the unix form where systemd
// has it (251 and later) and in its own words before that.
func TestSystemdLastRun(t *testing.T) {
	at := time.Date(2026, 12, 2, 8, 6, 45, 0, time.Local)
	cases := map[string]struct {
		unix, words reply
		want        *Run
	}{
		"succeeded": {unix: reply{stdout: "Result=success\nExecMainStatus=0\nExecMainExitTimestamp=@" + itoa(at.Unix()) + "\n"},
			want: &Run{At: at, OK: true, Result: "success"}},
		"failed": {unix: reply{stdout: "Result=exit-code\nExecMainStatus=1\nExecMainExitTimestamp=@" + itoa(at.Unix()) + "\n"},
			want: &Run{At: at, Result: "exit-code", Status: 1}},
		"never ran": {unix: reply{stdout: "Result=success\nExecMainStatus=0\nExecMainExitTimestamp=\n"}},
		"systemd before 251": {unix: reply{stderr: "Unknown value for --timestamp=: unix", fail: true},
			words: reply{stdout: "Result=success\nExecMainStatus=0\nExecMainExitTimestamp=" + at.Format("Mon 2006-01-02 15:04:05 MST") + "\n"},
			want:  &Run{At: at, OK: true, Result: "success"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := New(Options{OS: "linux", Runner: &recorder{t: t, answer: func(line string, _ []byte) reply {
				if strings.Contains(line, "--timestamp=unix") {
					return c.unix
				}
				return c.words
			}}})
			got, err := s.systemdLastRun(context.Background(), "popvault-fetch.service")
			if err != nil {
				t.Fatal(err)
			}
			if (got == nil) != (c.want == nil) || got != nil && (!got.At.Equal(c.want.At) || got.OK != c.want.OK || got.Result != c.want.Result || got.Status != c.want.Status) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Linux's mechanism: systemd where a user manager answers, else cron,
// else a clear word; installing on one removes the archive's job from
// the other, so that one fetch never runs twice.
func TestLinuxMechanismChoice(t *testing.T) {
	_, exe := oddFolder(t)
	ctx := context.Background()
	old := string(cronBlock(Spec{Exe: exe}, "popvault-fetch", 60, slot{minute: 1}))
	noManager := reply{stderr: "Failed to connect to bus: No medium found", fail: true}

	t.Run("neither", func(t *testing.T) {
		s := New(Options{OS: "linux", UnitDir: t.TempDir(), Runner: &recorder{t: t, answer: func(line string, _ []byte) reply {
			if strings.HasPrefix(line, "crontab") {
				return reply{notInstalled: true}
			}
			return noManager
		}}})
		_, err := s.Install(ctx, Spec{Exe: exe})
		if !errors.Is(err, ErrNoMechanism) || !strings.Contains(err.Error(), "apt install cron") {
			t.Errorf("got %v", err)
		}
		if _, err := s.Status(ctx, ""); !errors.Is(err, ErrNotInstalled) {
			t.Errorf("status: %v", err)
		}
		if err := s.Remove(ctx, ""); !errors.Is(err, ErrNotInstalled) {
			t.Errorf("remove: %v", err)
		}
	})
	t.Run("systemd replaces a crontab line", func(t *testing.T) {
		rec := &recorder{t: t, answer: func(line string, _ []byte) reply {
			if line == "crontab -l" {
				return reply{stdout: "MAILTO=me\n" + old}
			}
			return systemdAnswering(line, nil)
		}}
		s := New(Options{OS: "linux", UnitDir: t.TempDir(), Runner: rec})
		job, err := s.Install(ctx, Spec{Exe: exe})
		if err != nil || job.Mechanism != Systemd {
			t.Fatalf("%+v, %v", job, err)
		}
		i := slices.Index(rec.calls, "crontab -")
		if i < 0 || string(rec.stdins[i]) != "MAILTO=me\n" {
			t.Errorf("the crontab written: %q (calls %q)", rec.stdins[i], rec.calls)
		}
	})
	t.Run("cron replaces units", func(t *testing.T) {
		units := t.TempDir()
		s := New(Options{OS: "linux", UnitDir: units, Runner: &recorder{t: t, answer: systemdAnswering}})
		if _, err := s.Install(ctx, Spec{Exe: exe}); err != nil {
			t.Fatal(err)
		}
		var tab []byte // a crontab that keeps what is written
		rec := &recorder{t: t, answer: func(line string, stdin []byte) reply {
			switch {
			case strings.HasPrefix(line, "systemctl"):
				return noManager
			case line == "crontab -":
				tab = stdin
			case line == "crontab -l" && tab != nil:
				return reply{stdout: string(tab)}
			}
			return systemdAnswering(line, nil)
		}}
		s = New(Options{OS: "linux", UnitDir: units, Runner: rec})
		job, err := s.Install(ctx, Spec{Exe: exe})
		if err != nil || job.Mechanism != Cron {
			t.Fatalf("%+v, %v", job, err)
		}
		if left := listDir(t, units); len(left) > 0 {
			t.Errorf("units left: %q", left)
		}
	})
}
