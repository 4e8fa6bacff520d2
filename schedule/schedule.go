package schedule

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Mechanism is the part of the system that runs a job.
type Mechanism string

// The mechanisms, by the names a person knows them by.
const (
	Systemd       Mechanism = "systemd"
	Cron          Mechanism = "cron"
	TaskScheduler Mechanism = "Task Scheduler"
	Launchd       Mechanism = "launchd"
)

// DefaultEvery is the interval when a Spec names none.
const DefaultEvery = time.Hour

// ErrNotInstalled: no job is installed for the archive.
var ErrNotInstalled = errors.New("schedule: no scheduled backup is installed for this archive")

// ErrNoMechanism: this system has nothing popvault can install a job in.
var ErrNoMechanism = errors.New("schedule: this system has neither a systemd user manager nor cron")

// Spec is the job to install.
type Spec struct {
	// Exe is popvault's executable, an absolute path (os.Executable). On
	// Windows, popvault.exe: the GUI-subsystem build.
	Exe string
	// Archive is the archive's path, or "" for the default archive: the
	// job then runs without --archive, and is named popvault-fetch.
	Archive string
	// Every is the interval, at least a minute; 0 is DefaultEvery.
	Every time.Duration
	// Env is NAME=VALUE lines the job's command runs with, where the
	// mechanism allows (not Windows): see Environment. Nothing secret.
	Env []string
}

// Job is what is installed, as read back from the system.
type Job struct {
	Name      string    // popvault-fetch, or popvault-fetch-HASH for another archive
	Mechanism Mechanism // what runs it
	// Every is the interval; 0 when the schedule is not one popvault
	// writes (someone changed it): Schedule still says what it is.
	Every    time.Duration
	Schedule string   // the system's own words: "OnCalendar=*-*-* *:07/15:00", "7-59/15 * * * *", "PT15M", "StartInterval=900"
	Command  []string // the program and its arguments
	Env      []string // NAME=VALUE the command runs with
	Where    []string // where the system keeps it: files, "the crontab of USER", a task's name
	// LastRun is the last run and its result, where the system records
	// them (systemd, Task Scheduler, launchd's exit code); nil when it
	// does not (cron) or the job has not run yet.
	LastRun *Run
}

// Run is one past run of a job.
type Run struct {
	At     time.Time // zero when the system gives no time it can read
	OK     bool
	Result string // the system's word for it: "success", "exit-code", "0x1"
	Status int    // the exit status, where known
}

// Options configure a Scheduler. The zero value runs the real commands of
// this system.
type Options struct {
	// Runner runs system commands; nil runs them.
	Runner Runner
	// OS is the system whose mechanism to use, as runtime.GOOS; "" is
	// this one. Tests set it to check another system's job through a
	// recording Runner.
	OS string
	// UnitDir is where systemd user units go; "" is
	// $XDG_CONFIG_HOME/systemd/user (~/.config/systemd/user).
	UnitDir string
	// AgentDir is where LaunchAgents go; "" is ~/Library/LaunchAgents.
	AgentDir string
	// Now is the clock; nil is time.Now. Task Scheduler's trigger starts
	// at the next whole minute from it.
	Now func() time.Time
}

// Scheduler installs, removes and reads back popvault's jobs.
type Scheduler struct {
	run      Runner
	os       string
	unitDir  string
	agentDir string
	now      func() time.Time
}

// New returns a Scheduler; it does no I/O.
func New(o Options) *Scheduler {
	s := &Scheduler{run: o.Runner, os: o.OS, unitDir: o.UnitDir, agentDir: o.AgentDir, now: o.Now}
	if s.run == nil {
		s.run = ExecRunner{}
	}
	if s.os == "" {
		s.os = runtime.GOOS
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Name is the job's name for an archive: popvault-fetch for the default
// archive (""), popvault-fetch-HASH for another, HASH being the first
// eight hex digits of the SHA-256 of its absolute path.
func Name(archive string) string {
	if archive == "" {
		return "popvault-fetch"
	}
	if abs, err := filepath.Abs(archive); err == nil {
		archive = abs
	}
	sum := sha256.Sum256([]byte(archive))
	return "popvault-fetch-" + hex.EncodeToString(sum[:4])
}

// Environment returns the variables that choose where popvault keeps its
// settings and its default archive, as NAME=VALUE, for those set in this
// process: a job started by the system does not inherit a session's
// environment. None of them is secret.
func Environment() []string {
	var env []string
	for _, name := range []string{"XDG_CONFIG_HOME", "XDG_DATA_HOME"} {
		if v := os.Getenv(name); v != "" {
			env = append(env, name+"="+v)
		}
	}
	return env
}

// command is the job's program and arguments.
func (sp Spec) command() []string {
	c := []string{sp.Exe}
	if sp.Archive != "" {
		c = append(c, "--archive", sp.Archive)
	}
	return append(c, "fetch", "--quiet")
}

// check normalises sp and rejects what no job can hold.
func (s *Scheduler) check(sp *Spec) error {
	if sp.Every == 0 {
		sp.Every = DefaultEvery
	}
	if sp.Every < time.Minute {
		return fmt.Errorf("schedule: the interval must be at least a minute, not %v", sp.Every)
	}
	if s.os == runtime.GOOS {
		// Another system's paths (a test's) cannot be checked here.
		if !filepath.IsAbs(sp.Exe) {
			return fmt.Errorf("schedule: popvault's program must be given by its full path, not %q", sp.Exe)
		}
		if sp.Archive != "" {
			abs, err := filepath.Abs(sp.Archive)
			if err != nil {
				return fmt.Errorf("schedule: the archive's path %q: %w", sp.Archive, err)
			}
			sp.Archive = abs
		}
	}
	for _, v := range append([]string{sp.Exe, sp.Archive}, sp.Env...) {
		if strings.ContainsAny(v, "\x00\r\n") {
			return fmt.Errorf("schedule: a job's command cannot hold a line break or a NUL: %q", v)
		}
	}
	for _, e := range sp.Env {
		if name, _, ok := strings.Cut(e, "="); !ok || !validEnvName(name) {
			return fmt.Errorf("schedule: %q is not an environment variable as NAME=VALUE", e)
		}
	}
	return nil
}

func validEnvName(name string) bool {
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		return false
	}
	for _, r := range name {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Install installs the job sp describes, replacing the archive's job if
// there is one (on any mechanism), and returns it as the system now has
// it.
func (s *Scheduler) Install(ctx context.Context, sp Spec) (Job, error) {
	if err := s.check(&sp); err != nil {
		return Job{}, err
	}
	switch s.os {
	case "windows":
		return s.installTask(ctx, sp)
	case "darwin":
		return s.installAgent(ctx, sp)
	}
	name := Name(sp.Archive)
	answers := s.systemdAnswers(ctx)
	if answers == nil {
		// A cron line left from before the user manager ran would run
		// the same fetch twice.
		if _, err := s.removeCron(ctx, name); err != nil && !errors.Is(err, errNoCron) {
			return Job{}, err
		}
		return s.installSystemd(ctx, sp)
	}
	if _, err := s.removeSystemd(ctx, name); err != nil {
		return Job{}, err
	}
	job, err := s.installCron(ctx, sp)
	if errors.Is(err, errNoCron) {
		return Job{}, fmt.Errorf("%w: systemctl --user does not answer (%v) and crontab is not installed. "+
			"Install cron (Debian and Ubuntu: sudo apt install cron), or turn this on from a desktop session with systemd", ErrNoMechanism, answers)
	}
	return job, err
}

// Remove removes the archive's job, exactly what Install made, on
// whichever mechanism holds it; ErrNotInstalled when there is none.
func (s *Scheduler) Remove(ctx context.Context, archive string) error {
	name := Name(archive)
	var found bool
	var err error
	switch s.os {
	case "windows":
		found, err = s.removeTask(ctx, name)
	case "darwin":
		found, err = s.removeAgent(ctx, name)
	default:
		found, err = s.removeSystemd(ctx, name)
		if err == nil {
			var inCron bool
			inCron, err = s.removeCron(ctx, name)
			found = found || inCron
			if errors.Is(err, errNoCron) {
				err = nil
			}
		}
	}
	if err != nil {
		return err
	}
	if !found {
		return ErrNotInstalled
	}
	return nil
}

// Status reads the archive's job back from the system; ErrNotInstalled
// when there is none.
func (s *Scheduler) Status(ctx context.Context, archive string) (Job, error) {
	name := Name(archive)
	switch s.os {
	case "windows":
		return s.taskStatus(ctx, name)
	case "darwin":
		return s.agentStatus(ctx, name)
	}
	job, err := s.systemdStatus(ctx, name)
	if !errors.Is(err, ErrNotInstalled) {
		return job, err
	}
	job, err = s.cronStatus(ctx, name)
	if errors.Is(err, errNoCron) {
		return Job{}, ErrNotInstalled
	}
	return job, err
}
