package schedule

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-systemd/v22/unit"
)

// unitHeader opens both unit files, for a person who finds them.
const unitHeader = "# Written by popvault (\"Keep backing up when popvault is closed\").\n" +
	"# popvault schedule off, or the switch in its Settings, removes it.\n\n"

// unitDirectory is where the user's own units go.
func (s *Scheduler) unitDirectory() (string, error) {
	if s.unitDir != "" {
		return s.unitDir, nil
	}
	base := os.Getenv("XDG_CONFIG_HOME")
	if base == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("schedule: where systemd keeps your units: %w", err)
		}
		base = filepath.Join(home, ".config")
	}
	return filepath.Join(base, "systemd", "user"), nil
}

// systemctl runs systemctl --user with args. The user manager is found
// through $XDG_RUNTIME_DIR, which a shell outside a desktop session (su,
// ssh without pam_systemd) may lack while the manager runs.
func (s *Scheduler) systemctl(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "systemctl", append([]string{"--user"}, args...)...)
	if os.Getenv("XDG_RUNTIME_DIR") == "" {
		dir := "/run/user/" + strconv.Itoa(os.Getuid())
		if _, err := os.Stat(dir); err == nil {
			cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+dir)
		}
	}
	return s.output(cmd, nil)
}

// systemdAnswers is nil when a systemd user manager answers, and says why
// not otherwise.
func (s *Scheduler) systemdAnswers(ctx context.Context) error {
	_, err := s.systemctl(ctx, "show", "--property=Version")
	return err
}

// serviceUnit is the service that runs the fetch once.
func serviceUnit(sp Spec) []byte {
	cmd := sp.command()
	// systemd expands $VAR in the arguments, not in the program's path.
	exec := []string{systemdEnvQuote(cmd[0])}
	for _, w := range cmd[1:] {
		exec = append(exec, systemdQuote(w))
	}
	opts := []*unit.UnitOption{
		unit.NewUnitOption("Unit", "Description", escapeSpecifiers("popvault: back up mail ("+archiveWords(sp.Archive)+")")),
		unit.NewUnitOption("Service", "Type", "oneshot"),
		unit.NewUnitOption("Service", "ExecStart", strings.Join(exec, " ")),
		// A notification's waiter (package notify) outlives the fetch
		// for a while, to open popvault on a click: systemd would kill
		// it with the service's last process otherwise.
		unit.NewUnitOption("Service", "KillMode", "process"),
	}
	for _, e := range sp.Env {
		opts = append(opts, unit.NewUnitOption("Service", "Environment", systemdEnvQuote(e)))
	}
	return serialize(opts)
}

// timerUnit starts the service every step minutes, at slot.
func timerUnit(sp Spec, step int, at slot) []byte {
	// A small random delay spreads runs that a boot or a wake-up would
	// start at the same moment; at most a tenth of the interval.
	delay := min(step*6, 60)
	opts := []*unit.UnitOption{
		unit.NewUnitOption("Unit", "Description", escapeSpecifiers("popvault: back up mail every "+minutesWords(step)+" ("+archiveWords(sp.Archive)+")")),
		unit.NewUnitOption("Timer", "OnCalendar", onCalendar(step, at)),
		unit.NewUnitOption("Timer", "Persistent", "true"),
		unit.NewUnitOption("Timer", "RandomizedDelaySec", strconv.Itoa(delay)),
		unit.NewUnitOption("Install", "WantedBy", "timers.target"),
	}
	return serialize(opts)
}

func serialize(opts []*unit.UnitOption) []byte {
	b, _ := io.ReadAll(unit.Serialize(opts)) // a bytes.Buffer's reader: no error
	return append([]byte(unitHeader), b...)
}

func escapeSpecifiers(s string) string { return strings.ReplaceAll(s, "%", "%%") }

func archiveWords(archive string) string {
	if archive == "" {
		return "the default archive"
	}
	return "archive " + archive
}

func minutesWords(m int) string {
	switch {
	case m == 1:
		return "minute"
	case m%1440 == 0 && m/1440 == 1:
		return "day"
	case m%60 == 0 && m/60 == 1:
		return "hour"
	case m%60 == 0:
		return strconv.Itoa(m/60) + " hours"
	}
	return strconv.Itoa(m) + " minutes"
}

func (s *Scheduler) installSystemd(ctx context.Context, sp Spec) (Job, error) {
	dir, err := s.unitDirectory()
	if err != nil {
		return Job{}, err
	}
	if strings.ContainsAny(sp.Exe, `'"\`) {
		return Job{}, fmt.Errorf("schedule: systemd will not run a program whose path holds a quote or a backslash (%s): "+
			"move popvault to a folder whose name has none, and turn this on again", sp.Exe)
	}
	name := Name(sp.Archive)
	step := calendarStep(sp.Every)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Job{}, fmt.Errorf("schedule: %w", err)
	}
	service, timer := filepath.Join(dir, name+".service"), filepath.Join(dir, name+".timer")
	if err := writeFile(service, serviceUnit(sp)); err != nil {
		return Job{}, err
	}
	if err := writeFile(timer, timerUnit(sp, step, slotFor(name, step))); err != nil {
		os.Remove(service)
		return Job{}, err
	}
	if _, err := s.systemctl(ctx, "daemon-reload"); err != nil {
		return Job{}, s.undoSystemd(ctx, service, timer, err)
	}
	if _, err := s.systemctl(ctx, "enable", "--now", name+".timer"); err != nil {
		return Job{}, s.undoSystemd(ctx, service, timer, err)
	}
	return s.systemdStatus(ctx, name)
}

// undoSystemd takes back the units systemd would not start.
func (s *Scheduler) undoSystemd(ctx context.Context, service, timer string, cause error) error {
	os.Remove(service)
	os.Remove(timer)
	s.systemctl(ctx, "daemon-reload")
	return fmt.Errorf("schedule: systemd did not take popvault's timer, so nothing was installed: %w", cause)
}

// removeSystemd disables and deletes the units, and the link that
// enabling made; without a user manager that answers, it deletes them
// only (a manager that runs later finds none).
func (s *Scheduler) removeSystemd(ctx context.Context, name string) (bool, error) {
	dir, err := s.unitDirectory()
	if err != nil {
		return false, err
	}
	service, timer := filepath.Join(dir, name+".service"), filepath.Join(dir, name+".timer")
	wants := filepath.Join(dir, "timers.target.wants", name+".timer")
	found := false
	for _, p := range []string{service, timer, wants} {
		if _, err := os.Lstat(p); err == nil {
			found = true
		}
	}
	if !found {
		return false, nil
	}
	answers := s.systemdAnswers(ctx) == nil
	if answers {
		if _, err := s.systemctl(ctx, "disable", "--now", name+".timer"); err != nil {
			return true, fmt.Errorf("schedule: systemd would not stop popvault's timer: %w", err)
		}
	}
	for _, p := range []string{wants, timer, service} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return true, fmt.Errorf("schedule: %w", err)
		}
	}
	if answers {
		if _, err := s.systemctl(ctx, "daemon-reload"); err != nil {
			return true, fmt.Errorf("schedule: %w", err)
		}
	}
	return true, nil
}

// systemdStatus reads the units back, and the service's last run from
// the user manager where it answers.
func (s *Scheduler) systemdStatus(ctx context.Context, name string) (Job, error) {
	dir, err := s.unitDirectory()
	if err != nil {
		return Job{}, err
	}
	service, timer := filepath.Join(dir, name+".service"), filepath.Join(dir, name+".timer")
	svc, err := readUnit(service)
	if errors.Is(err, os.ErrNotExist) {
		return Job{}, ErrNotInstalled
	}
	if err != nil {
		return Job{}, err
	}
	job := Job{Name: name, Mechanism: Systemd, Where: []string{timer, service}}
	for _, o := range svc {
		switch {
		case o.Section == "Service" && o.Name == "ExecStart":
			if job.Command, err = execStartSplit(o.Value); err != nil {
				return Job{}, fmt.Errorf("schedule: %s: ExecStart: %w", service, err)
			}
		case o.Section == "Service" && o.Name == "Environment":
			env, err := systemdSplit(o.Value, false)
			if err != nil {
				return Job{}, fmt.Errorf("schedule: %s: Environment: %w", service, err)
			}
			job.Env = append(job.Env, env...)
		}
	}
	tim, err := readUnit(timer)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return Job{}, err
	}
	for _, o := range tim {
		if o.Section == "Timer" && o.Name == "OnCalendar" {
			job.Schedule = "OnCalendar=" + o.Value
			job.Every = calendarEvery(o.Value)
		}
	}
	if s.systemdAnswers(ctx) == nil {
		job.LastRun, err = s.systemdLastRun(ctx, name+".service")
		if err != nil {
			return job, err
		}
	}
	return job, nil
}

// execStartSplit reads ExecStart= back: "$$" is a dollar in the
// arguments only.
func execStartSplit(v string) ([]string, error) {
	words, err := systemdSplit(v, true)
	if err != nil || len(words) == 0 {
		return words, err
	}
	program, err := systemdSplit(v, false)
	if err != nil || len(program) == 0 {
		return words, err
	}
	words[0] = program[0]
	return words, nil
}

func readUnit(path string) ([]*unit.UnitOption, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	opts, err := unit.DeserializeOptions(f)
	if err != nil {
		return nil, fmt.Errorf("schedule: %s: %w", path, err)
	}
	return opts, nil
}

// systemdLastRun reads the service's last run: when its process ended,
// and how. systemd 251 and later print times as @SECONDS when asked;
// earlier ones refuse --timestamp=unix and print them in their own words.
func (s *Scheduler) systemdLastRun(ctx context.Context, service string) (*Run, error) {
	props := "--property=Result,ExecMainStatus,ExecMainExitTimestamp"
	out, err := s.systemctl(ctx, "show", "--timestamp=unix", props, service)
	if err != nil {
		if out, err = s.systemctl(ctx, "show", props, service); err != nil {
			return nil, fmt.Errorf("schedule: the last run of %s: %w", service, err)
		}
	}
	p := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			p[k] = strings.TrimSpace(v)
		}
	}
	at, ok := systemdTime(p["ExecMainExitTimestamp"])
	if !ok {
		return nil, nil // it has not run since the manager started
	}
	status, _ := strconv.Atoi(p["ExecMainStatus"])
	return &Run{At: at, OK: p["Result"] == "success" && status == 0, Result: p["Result"], Status: status}, nil
}

// systemdTime reads "@1700000000" or systemd's "Wed 2026-12-02 08:06:45 UTC";
// empty or "n/a" is no time.
func systemdTime(v string) (time.Time, bool) {
	if sec, ok := strings.CutPrefix(v, "@"); ok {
		n, err := strconv.ParseInt(sec, 10, 64)
		return time.Unix(n, 0), err == nil && n > 0
	}
	if t, err := time.ParseInLocation("Mon 2006-01-02 15:04:05 MST", v, time.Local); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// writeFile replaces path with b whole: a reader (systemd, launchd)
// never sees half a file.
func writeFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".popvault-*")
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("schedule: %w", err)
	}
	return nil
}
