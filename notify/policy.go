package notify

import "time"

// Attempt is one fetch of an account, as popvault's health records keep
// it.
type Attempt struct {
	At time.Time
	OK bool
	// SignIn: it failed because the password or sign-in must be
	// renewed (refused, revoked or expired), which no retry mends.
	SignIn bool
}

// History is what ShouldNotify decides from, for one account.
type History struct {
	Attempts     []Attempt // oldest first
	LastNotified time.Time // the last notification about this account; zero if none
	LastReason   Reason    // what it was about
}

// Reason says why a notification is or is not due, in words.
type Reason string

// The reasons.
const (
	NotFailing       Reason = "the last backup worked"
	FailedOnce       Reason = "one failure: it may pass by the next run"
	StartedFailing   Reason = "backups have failed twice in a row"
	SignInNeeded     Reason = "the sign-in must be renewed"
	AlreadyNotified  Reason = "already notified about these failures"
	NotifiedToday    Reason = "already notified about this account in the last day"
	NothingAttempted Reason = "no backup has run"
)

// notifyGap is the least time between two notifications about one
// account.
const notifyGap = 24 * time.Hour

// ShouldNotify decides whether an account's record calls for a
// notification now: when its backups start failing (the second failure
// in a row: one may be a passing outage), or at once when the sign-in
// must be renewed; once for each run of failures (and once more if the
// sign-in must be renewed during it), and at most once a day.
func ShouldNotify(h History, now time.Time) (bool, Reason) {
	n := len(h.Attempts)
	if n == 0 {
		return false, NothingAttempted
	}
	last := h.Attempts[n-1]
	if last.OK {
		return false, NotFailing
	}
	start := n - 1 // the first failure of the run that goes on now
	for start > 0 && !h.Attempts[start-1].OK {
		start--
	}
	reason := StartedFailing
	switch {
	case last.SignIn:
		reason = SignInNeeded
	case n-start < 2:
		return false, FailedOnce
	}
	// One notification for a run of failures; a sign-in that must be
	// renewed is news even within one.
	told := !h.LastNotified.IsZero() && !h.LastNotified.Before(h.Attempts[start].At)
	if told && (reason != SignInNeeded || h.LastReason == SignInNeeded) {
		return false, AlreadyNotified
	}
	if !h.LastNotified.IsZero() && now.Sub(h.LastNotified) < notifyGap {
		return false, NotifiedToday
	}
	return true, reason
}
