package health

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"popvault/archive"
	"popvault/fetch"
	"popvault/notify"
)

// keepAttempts is how many attempts a record keeps: enough for
// notify.ShouldNotify to find where a run of failures began, for any
// run it still has to decide about.
const keepAttempts = 20

// Record is an account's health, as the fetches left it.
type Record struct {
	Account string `json:"-"`
	// LastSuccess is when a fetch last succeeded; zero if none has.
	LastSuccess time.Time `json:"last_success,omitzero"`
	// FailingSince is the first failure of the failures that go on now;
	// zero when the last attempt succeeded.
	FailingSince time.Time `json:"failing_since,omitzero"`
	// LastAttempt is when a fetch last ended, in success or not.
	LastAttempt time.Time `json:"last_attempt,omitzero"`
	// Words and Fix say the last attempt's result: what it brought, or
	// its failure as Explain says it.
	Words string `json:"words,omitempty"`
	Fix   string `json:"fix,omitempty"`
	// Failure is the last attempt's failure as ExplainAccount says it,
	// nil after a success: the window says a failure it did not see (a
	// scheduled run's) as it says its own, with its fix.
	Failure *Explanation `json:"failure,omitempty"`
	// New, Bytes and Deleted are what the last attempt brought.
	New     int   `json:"new,omitempty"`
	Bytes   int64 `json:"bytes,omitempty"`
	Deleted int   `json:"deleted,omitempty"`
	// Messages is the account's count in the archive after the attempt.
	Messages int `json:"messages"`
	// DeliveriesWaiting is how many messages wait to be delivered to the
	// account's inbox (#27), as the delivery left it.
	DeliveriesWaiting int `json:"deliveries_waiting,omitempty"`
	// Every is the account's check interval when the attempt ran; 0: only
	// on demand.
	Every time.Duration `json:"every,omitempty"`
	// Attempts are the last attempts, oldest first, for notify's policy.
	Attempts []notify.Attempt `json:"attempts,omitempty"`
	// LastNotified and LastReason are the last notification about the
	// account, and what it said.
	LastNotified time.Time     `json:"last_notified,omitzero"`
	LastReason   notify.Reason `json:"last_reason,omitempty"`
}

// Failing reports whether the last attempt failed.
func (r Record) Failing() bool { return !r.FailingSince.IsZero() }

// History is what notify.ShouldNotify decides from.
func (r Record) History() notify.History {
	return notify.History{Attempts: r.Attempts, LastNotified: r.LastNotified, LastReason: r.LastReason}
}

// Add records a fetch's result, ended at now, in r.
func (r *Record) Add(acct fetch.Account, res fetch.Result, now time.Time) {
	r.LastAttempt = now
	r.Every = time.Duration(acct.CheckEveryMinutes) * time.Minute
	r.New, r.Bytes, r.Deleted = res.New, res.Bytes, res.Deleted
	ex := ExplainAccount(acct, res.Err)
	if res.Err == nil {
		r.LastSuccess, r.FailingSince = now, time.Time{}
		r.Words = fmt.Sprintf("%d new, %d deleted from the server", res.New, res.Deleted)
		r.Fix, r.Failure = "", nil
		if res.More {
			r.Words += "; the server may hold more, which the next fetch brings"
		}
	} else {
		if r.FailingSince.IsZero() {
			r.FailingSince = now
		}
		r.Words, r.Fix = ex.Words, ex.Fix
		r.Failure = &ex
	}
	r.Attempts = append(r.Attempts, notify.Attempt{At: now, OK: res.Err == nil, SignIn: ex.SignIn})
	if n := len(r.Attempts); n > keepAttempts {
		r.Attempts = append([]notify.Attempt(nil), r.Attempts[n-keepAttempts:]...)
	}
}

// Store records one fetch's result for its account in the archive, with
// the account's count after it. A result of an account removed meanwhile
// is dropped.
func Store(arch *archive.Archive, acct fetch.Account, res fetch.Result, now time.Time) (Record, error) {
	counts, err := arch.Count()
	if err != nil {
		return Record{}, fmt.Errorf("health: %w", err)
	}
	var rec Record
	err = Change(arch, acct.Name, func(r *Record) {
		r.Add(acct, res, now)
		r.Messages = counts[acct.Name].Total
		rec = *r
	})
	if errors.Is(err, archive.ErrNotFound) {
		return Record{}, nil
	}
	return rec, err
}

// Change changes an account's record in one transaction.
func Change(arch *archive.Archive, account string, change func(*Record)) error {
	err := arch.ChangeHealth(account, func(old []byte) ([]byte, error) {
		r := Record{Account: account}
		if old != nil {
			if err := json.Unmarshal(old, &r); err != nil {
				return nil, fmt.Errorf("health: the record of %s cannot be read: %w", account, err)
			}
		}
		change(&r)
		return json.Marshal(r)
	})
	if err != nil {
		return fmt.Errorf("health: %w", err)
	}
	return nil
}

// Load returns an account's record; a zero Record (but for its name) when
// no fetch has run.
func Load(arch *archive.Archive, account string) (Record, error) {
	b, err := arch.Health(account)
	if err != nil {
		return Record{}, fmt.Errorf("health: %w", err)
	}
	r := Record{Account: account}
	if b != nil {
		if err := json.Unmarshal(b, &r); err != nil {
			return Record{}, fmt.Errorf("health: the record of %s cannot be read: %w", account, err)
		}
	}
	return r, nil
}
