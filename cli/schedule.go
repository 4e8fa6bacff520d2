package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"popvault/archive"
	"popvault/bearer"
	"popvault/fetch"
	"popvault/health"
	"popvault/internal/sessionbus"
	"popvault/schedule"
)

// schedule turns backups when popvault is closed on or off, or says how
// they stand: `schedule on [--every MINUTES]`, `off`, `status`.
func (c *session) schedule(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("schedule needs on, off or status")
	}
	switch args[0] {
	case "on":
		return c.scheduleOn(ctx, args[1:])
	case "off":
		return c.scheduleOff(ctx, args[1:])
	case "status":
		return c.scheduleStatus(ctx, args[1:])
	case checkSecretsCommand:
		return c.checkSecrets(ctx)
	}
	return fmt.Errorf("unknown schedule command %q: give on, off or status", args[0])
}

// checkSecretsCommand is the hidden command that `schedule on` runs in
// the job's environment: it reads accounts (JSON) on stdin and says, as
// JSON on stdout, whether each one's password or sign-in can be read.
const checkSecretsCommand = health.CheckSecretsCommand

func (c *session) scheduler() *schedule.Scheduler {
	if c.env.Scheduler != nil {
		return c.env.Scheduler
	}
	return schedule.New(schedule.Options{})
}

// jobArchive is the archive's path as the job names it: "" for the
// default archive.
func (c *session) jobArchive() string {
	if p := c.path(); p != archive.DefaultPath() {
		return p
	}
	return ""
}

func (c *session) exe() (string, error) {
	if c.env.Exe != "" {
		return c.env.Exe, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("popvault's own program cannot be found, which the job must run: %w", err)
	}
	return exe, nil
}

func (c *session) scheduleOn(ctx context.Context, args []string) error {
	fs := c.flags("schedule on")
	every := fs.Int("every", int(schedule.DefaultEvery/time.Minute), "fetch every this many minutes")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	if *every < 1 {
		return fmt.Errorf("--every %d: give at least 1 minute", *every)
	}
	_, accts, err := c.allAccounts()
	if err != nil {
		return err
	}
	self, err := c.exe()
	if err != nil {
		return err
	}
	checks, err := health.CheckAsJob(ctx, self, c.path(), accts)
	if err != nil {
		return err
	}
	var failing []string
	for _, ch := range checks {
		if !ch.OK {
			failing = append(failing, ch.Account)
			fmt.Fprintf(c.stderr, "popvault: %s would fail when popvault is closed: %s. %s\n", ch.Account, ch.Words, ch.Fix)
		}
	}
	job, err := c.scheduler().Install(ctx, schedule.Spec{Exe: self, Archive: c.jobArchive(), Every: time.Duration(*every) * time.Minute, Env: schedule.Environment()})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Backups when popvault is closed: on, every %s, by %s (%s)\n", health.Minutes(job.Every), job.Mechanism, strings.Join(job.Where, ", "))
	if len(failing) < len(accts) && health.KeyringOnSessionBus() && keyringHere() {
		// The check passed because the user is logged in now; a run
		// while nobody is finds the keyring closed.
		fmt.Fprintln(c.stdout, "The passwords are in your desktop's keyring: a backup runs while you are logged in with the keyring unlocked, and fails while nobody is (popvault status then says so).")
	}
	if len(failing) > 0 {
		return fmt.Errorf("the backup is on, but %d of %d accounts cannot sign in when popvault is closed: %s (see above)", len(failing), len(accts), strings.Join(failing, ", "))
	}
	return nil
}

func (c *session) scheduleOff(ctx context.Context, args []string) error {
	if _, err := c.parse(c.flags("schedule off"), args); err != nil {
		return err
	}
	err := c.scheduler().Remove(ctx, c.jobArchive())
	if errors.Is(err, schedule.ErrNotInstalled) {
		fmt.Fprintln(c.stdout, "Backups when popvault is closed: already off")
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "Backups when popvault is closed: off")
	return nil
}

func (c *session) scheduleStatus(ctx context.Context, args []string) error {
	if _, err := c.parse(c.flags("schedule status"), args); err != nil {
		return err
	}
	job, err := c.scheduler().Status(ctx, c.jobArchive())
	if errors.Is(err, schedule.ErrNotInstalled) {
		fmt.Fprintln(c.stdout, "Backups when popvault is closed: off (popvault schedule on turns them on)")
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, health.JobWords(job, c.now()))
	return nil
}

// checkSecrets reads accounts on stdin and says whether each one's
// password or sign-in can be read here.
func (c *session) checkSecrets(ctx context.Context) error {
	var accts []fetch.Account
	if err := json.NewDecoder(c.stdin).Decode(&accts); err != nil {
		return fmt.Errorf("check-secrets reads the accounts as JSON on stdin: %w", err)
	}
	store := c.credentials()
	checks := []health.SecretCheck{}
	for _, a := range accts {
		var err error
		if a.SignsInWith() == fetch.WithPassword {
			_, err = store.Password(ctx, a)
		} else {
			_, err = store.Token(ctx, a, bearer.Current)
		}
		ch := health.SecretCheck{Account: a.Name, OK: err == nil}
		if err != nil {
			ex := health.ExplainAccount(a, err)
			ch.Words, ch.Fix = ex.Words, ex.Fix
		}
		checks = append(checks, ch)
	}
	return json.NewEncoder(c.rawStdout).Encode(checks)
}

// keyringHere reports whether this process reaches a Secret Service
// keyring; always true where the system's keyring is no service on a
// session bus (Windows' Credential Manager, macOS's keychain).
func keyringHere() bool {
	if !health.KeyringOnSessionBus() {
		return true
	}
	ok, _ := sessionbus.Provides("org.freedesktop.secrets")
	return ok
}
