package health

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"time"

	"popvault/fetch"
	"popvault/schedule"
)

// JobWords says an installed job in one line: how often, by what, where,
// and its last run where the system keeps it.
func JobWords(job schedule.Job, now time.Time) string {
	how := job.Schedule
	if job.Every > 0 {
		how = "every " + Minutes(job.Every)
	}
	s := fmt.Sprintf("Backups when popvault is closed: on, %s, by %s (%s)", how, job.Mechanism, strings.Join(job.Where, ", "))
	switch r := job.LastRun; {
	case r == nil:
		s += "; it has not run yet, or the system does not say"
	case r.OK && !r.At.IsZero():
		s += fmt.Sprintf("; last ran %s ago, successfully", Ago(now.Sub(r.At)))
	case r.OK:
		s += "; its last run succeeded"
	case !r.At.IsZero():
		s += fmt.Sprintf("; last ran %s ago and failed (%s, exit status %d): popvault status says why", Ago(now.Sub(r.At)), r.Result, r.Status)
	default:
		s += fmt.Sprintf("; its last run failed (%s, exit status %d): popvault status says why", r.Result, r.Status)
	}
	return s
}

// Minutes says an interval in words: "hour", "15 minutes".
func Minutes(d time.Duration) string {
	switch m := int(d / time.Minute); {
	case m == 1:
		return "minute"
	case m%60 == 0 && m > 60:
		return fmt.Sprintf("%d hours", m/60)
	case m == 60:
		return "hour"
	default:
		return fmt.Sprintf("%d minutes", m)
	}
}

// CheckSecretsCommand is the hidden command, `popvault schedule
// check-secrets`, that CheckAsJob runs in the job's environment: it reads
// accounts (JSON) on stdin and says, as JSON on stdout, whether each
// one's password or sign-in can be read.
const CheckSecretsCommand = "check-secrets"

// SecretCheck is one account's answer from check-secrets.
type SecretCheck struct {
	Account string `json:"account"`
	OK      bool   `json:"ok"`
	Words   string `json:"words,omitempty"`
	Fix     string `json:"fix,omitempty"`
}

// CheckAsJob runs popvault (self, its program) as `schedule
// check-secrets` the way the job will run it: with only the environment
// a scheduled job has (no session variables, no display), so that a
// password the job cannot read (a keyring reachable only from the
// desktop session) shows now, not at 3 a.m.
func CheckAsJob(ctx context.Context, self, archivePath string, accts []fetch.Account) ([]SecretCheck, error) {
	in, err := json.Marshal(accts)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "--archive", archivePath, "schedule", CheckSecretsCommand)
	cmd.Env = schedule.JobEnvironment()
	cmd.Stdin = bytes.NewReader(in)
	var out, errs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errs
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("checking the accounts' passwords as the job will: %w: %s", err, strings.TrimSpace(errs.String()))
	}
	var checks []SecretCheck
	if err := json.Unmarshal(out.Bytes(), &checks); err != nil {
		return nil, fmt.Errorf("checking the accounts' passwords as the job will: %w", err)
	}
	return checks, nil
}
