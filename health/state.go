package health

import (
	"fmt"
	"time"
)

// State is an account's health at a glance.
type State string

// The states, as status --json says them.
const (
	Healthy State = "ok"
	Failing State = "failing"
	Stale   State = "stale" // no failure recorded, but no success for too long
	Never   State = "never" // no fetch has run
)

// MinStale is the least age at which a backup counts as stale by default.
const MinStale = 24 * time.Hour

// StaleAfter is how old the last success may be before the account is
// stale, unless told otherwise: three times its check interval, at least
// MinStale.
func (r Record) StaleAfter() time.Duration {
	return max(3*r.Every, MinStale)
}

// StateAt is the account's state at now; staleAfter 0 is r.StaleAfter().
// An account that never fetched is Never, which a monitor treats as
// failing: a backup that never ran is no backup.
func (r Record) StateAt(now time.Time, staleAfter time.Duration) State {
	if staleAfter <= 0 {
		staleAfter = r.StaleAfter()
	}
	switch {
	case r.LastAttempt.IsZero():
		return Never
	case r.Failing():
		return Failing
	case now.Sub(r.LastSuccess) > staleAfter:
		return Stale
	}
	return Healthy
}

// Line says the account's health in one line, as status prints it:
// "Gmail: last backup 2 hours ago, 48,211 messages", "Old ISP: failing
// for 3 days: the server refused the password".
func (r Record) Line(now time.Time, staleAfter time.Duration) string {
	switch r.StateAt(now, staleAfter) {
	case Never:
		return r.Account + ": never backed up: fetch it once (popvault fetch --account " + r.Account + ")"
	case Failing:
		s := fmt.Sprintf("%s: failing for %s: %s", r.Account, Ago(now.Sub(r.FailingSince)), r.Words)
		if r.Fix != "" {
			s += ". " + r.Fix
		}
		if !r.LastSuccess.IsZero() {
			s += fmt.Sprintf(" (last backup %s ago)", Ago(now.Sub(r.LastSuccess)))
		}
		return s
	case Stale:
		return fmt.Sprintf("%s: no backup for %s, %s messages: see whether scheduled backups run (popvault schedule status)",
			r.Account, Ago(now.Sub(r.LastSuccess)), Thousands(r.Messages))
	}
	s := fmt.Sprintf("%s: last backup %s ago, %s messages", r.Account, Ago(now.Sub(r.LastSuccess)), Thousands(r.Messages))
	if r.DeliveriesWaiting > 0 {
		s += fmt.Sprintf(", %s waiting to be delivered", Thousands(r.DeliveriesWaiting))
	}
	return s
}

// Ago says a duration as a person would, roughly: "a moment", "5
// minutes", "2 hours", "3 days".
func Ago(d time.Duration) string {
	unit := func(n int, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch {
	case d < time.Minute:
		return "a moment"
	case d < time.Hour:
		return unit(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return unit(int(d/time.Hour), "hour")
	}
	return unit(int(d/(24*time.Hour)), "day")
}

// Thousands writes n with commas between thousands: 48,211.
func Thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + Thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
