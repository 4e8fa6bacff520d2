package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"popvault/deliver"
	"popvault/health"
)

// statusLine is one account in status --json.
type statusLine struct {
	Account           string       `json:"account"`
	State             health.State `json:"state"`
	Line              string       `json:"line"`
	LastSuccess       *time.Time   `json:"last_success,omitempty"`
	FailingSince      *time.Time   `json:"failing_since,omitempty"`
	LastAttempt       *time.Time   `json:"last_attempt,omitempty"`
	Words             string       `json:"result,omitempty"`
	Fix               string       `json:"fix,omitempty"`
	Messages          int          `json:"messages"`
	DeliveriesWaiting int          `json:"deliveries_waiting"`
	// Note is a standing note that is no failure: messages the delivery
	// target refuses for good (docs/delivery.md).
	Note              string `json:"note,omitempty"`
	StaleAfterSeconds int64  `json:"stale_after_seconds"`
}

// status prints each account's health, one line each, and fails (exit
// 1) when any is failing, stale or never backed up, for monitoring.
func (c *session) status(args []string) error {
	fs := c.flags("status")
	asJSON := fs.Bool("json", false, "print JSON, one object per account")
	staleFlag := fs.String("stale", "", "how old a backup may be before it counts as stale, as 36h or 2d (default: three times the account's check interval, at least a day)")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	var stale time.Duration
	if *staleFlag != "" {
		d, err := parseDays(*staleFlag)
		if err != nil || d <= 0 {
			return fmt.Errorf("--stale %q: give a duration such as 36h or 2d", *staleFlag)
		}
		stale = d
	}
	arch, accts, err := c.allAccounts()
	if err != nil {
		return err
	}
	if len(accts) == 0 {
		return errors.New("no accounts: add one with popvault account add")
	}
	now := c.now()
	var lines []statusLine
	var bad []string
	for _, a := range accts {
		rec, err := health.Load(arch, a.Name)
		if err != nil {
			return err
		}
		if rec.Every == 0 {
			rec.Every = time.Duration(a.CheckEveryMinutes) * time.Minute
		}
		after := stale
		if after == 0 {
			after = rec.StaleAfter()
		}
		l := statusLine{Account: a.Name, State: rec.StateAt(now, after), Line: rec.Line(now, after), Words: rec.Words, Fix: rec.Fix,
			Messages: rec.Messages, DeliveriesWaiting: rec.DeliveriesWaiting, StaleAfterSeconds: int64(after / time.Second),
			LastSuccess: timeOrNil(rec.LastSuccess), FailingSince: timeOrNil(rec.FailingSince), LastAttempt: timeOrNil(rec.LastAttempt)}
		if l.Note, err = deliver.Note(arch, a); err != nil {
			return err
		}
		lines = append(lines, l)
		if l.State != health.Healthy {
			bad = append(bad, a.Name)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(c.stdout)
		for _, l := range lines {
			if err := enc.Encode(l); err != nil {
				return err
			}
		}
	} else {
		for _, l := range lines {
			fmt.Fprintln(c.stdout, l.Line)
			if l.Note != "" {
				fmt.Fprintf(c.stdout, "  %s: %s\n", l.Account, l.Note)
			}
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d of %d accounts need attention: %s", len(bad), len(accts), strings.Join(bad, ", "))
	}
	return nil
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// parseDays reads a Go duration, or a number of days as "2d".
func parseDays(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.ParseFloat(n, 64)
		if err != nil {
			return 0, err
		}
		return time.Duration(days * float64(24*time.Hour)), nil
	}
	return time.ParseDuration(s)
}
