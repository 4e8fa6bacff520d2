package health

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"popvault/archive"
	"popvault/fetch"
	"popvault/fetch/pop3"
)

func openArchive(t *testing.T, accounts ...fetch.Account) *archive.Archive {
	t.Helper()
	arch, err := archive.Open(filepath.Join(t.TempDir(), "archive.db"), &archive.Options{NoSync: true, NoFullText: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { arch.Close() })
	for _, a := range accounts {
		if err := fetch.AddAccount(arch, a); err != nil {
			t.Fatal(err)
		}
	}
	return arch
}

var refused = &fetch.AccountError{Account: "home", Err: &pop3.Error{Command: "PASS", Text: "Authentication failed."}}

func TestStoreKeepsTheStreak(t *testing.T) {
	home := fetch.Account{Name: "home", Host: "pop.example.org", User: "me", CheckEveryMinutes: 60}
	arch := openArchive(t, home)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	steps := []struct {
		res          fetch.Result
		failingSince time.Time
		words        string
	}{
		{fetch.Result{Account: "home", New: 3}, time.Time{}, "3 new, 0 deleted from the server"},
		{fetch.Result{Account: "home", Err: refused}, t0.Add(time.Hour), "the server refused the password"},
		{fetch.Result{Account: "home", Err: refused}, t0.Add(time.Hour), "the server refused the password"},
		{fetch.Result{Account: "home"}, time.Time{}, "0 new, 0 deleted from the server"},
	}
	for i, s := range steps {
		now := t0.Add(time.Duration(i) * time.Hour)
		rec, err := Store(arch, home, s.res, now)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Load(arch, "home")
		if err != nil {
			t.Fatal(err)
		}
		if !back.FailingSince.Equal(s.failingSince) || back.Words != s.words || !back.LastAttempt.Equal(now) || len(back.Attempts) != i+1 {
			t.Errorf("after step %d: %+v, want failing since %v, words %q", i, back, s.failingSince, s.words)
		}
		if back.Words != rec.Words {
			t.Errorf("Store returned %q, stored %q", rec.Words, back.Words)
		}
	}
	if _, err := Store(arch, fetch.Account{Name: "gone"}, fetch.Result{Account: "gone"}, t0); err != nil {
		t.Errorf("a result for a removed account: %v, want it dropped", err)
	}
	if _, err := Load(arch, "gone"); !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("Load of a removed account: %v, want ErrNotFound", err)
	}
}

func TestStoreKeepsFewAttempts(t *testing.T) {
	home := fetch.Account{Name: "home", Host: "pop.example.org", User: "me"}
	arch := openArchive(t, home)
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for i := range keepAttempts + 5 {
		if _, err := Store(arch, home, fetch.Result{Account: "home", Err: refused}, t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	rec, _ := Load(arch, "home")
	if len(rec.Attempts) != keepAttempts || !rec.Attempts[keepAttempts-1].At.Equal(t0.Add((keepAttempts+4)*time.Minute)) || !rec.FailingSince.Equal(t0) {
		t.Errorf("%d attempts kept, the last at %v, failing since %v", len(rec.Attempts), rec.Attempts[len(rec.Attempts)-1].At, rec.FailingSince)
	}
}

func TestStateOnAMovedClock(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ok := Record{Account: "Gmail", LastAttempt: t0, LastSuccess: t0, Messages: 48211, Every: 15 * time.Minute}
	failing := Record{Account: "Old ISP", LastAttempt: t0, LastSuccess: t0.Add(-96 * time.Hour), FailingSince: t0.Add(-72 * time.Hour),
		Words: "the server refused the password", Fix: "Check the password"}
	hourly := Record{Account: "work", LastAttempt: t0, LastSuccess: t0, Every: 12 * time.Hour}
	tests := map[string]struct {
		rec   Record
		now   time.Time
		stale time.Duration
		state State
		line  string
	}{
		"healthy":                   {ok, t0.Add(2 * time.Hour), 0, Healthy, "Gmail: last backup 2 hours ago, 48,211 messages"},
		"stale after a day":         {ok, t0.Add(25 * time.Hour), 0, Stale, "Gmail: no backup for 25 hours, 48,211 messages"},
		"stale by --stale":          {ok, t0.Add(2 * time.Hour), time.Hour, Stale, "Gmail: no backup for 2 hours"},
		"three intervals":           {hourly, t0.Add(35 * time.Hour), 0, Healthy, "work: last backup 35 hours ago"},
		"stale after 3 intervals":   {hourly, t0.Add(37 * time.Hour), 0, Stale, "work: no backup for 37 hours"},
		"failing":                   {failing, t0, 0, Failing, "Old ISP: failing for 3 days: the server refused the password. Check the password (last backup 4 days ago)"},
		"failing beats fresh stale": {failing, t0, 365 * 24 * time.Hour, Failing, "Old ISP: failing for 3 days"},
		"never":                     {Record{Account: "new"}, t0, 0, Never, "new: never backed up"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.rec.StateAt(tc.now, tc.stale); got != tc.state {
				t.Errorf("state %q, want %q", got, tc.state)
			}
			if got := tc.rec.Line(tc.now, tc.stale); !strings.HasPrefix(got, tc.line) {
				t.Errorf("line %q, want it to begin %q", got, tc.line)
			}
		})
	}
}
