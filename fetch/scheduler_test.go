package fetch

import (
	"sync"
	"testing"
	"time"

	"popvault/fetch/pop3test"
)

// A window's Accounts waits for its UI goroutine, which may be in Cancel
// at that moment; due must not hold the lock while it waits.
func TestSchedulerDueDoesNotHoldLockForAccounts(t *testing.T) {
	s := &Scheduler{}
	s.Accounts = func() []Account {
		s.Cancel() // what the UI goroutine may do meanwhile
		return []Account{{Name: "a", CheckEveryMinutes: 1}}
	}
	s.next = map[string]time.Time{"a": time.Now().Add(-time.Minute)}
	done := make(chan []Account)
	go func() { done <- s.due(time.Now()) }()
	select {
	case got := <-done:
		if len(got) != 1 {
			t.Fatalf("due = %v", got)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("due deadlocked with Cancel")
	}
}

// FetchNow never blocks its caller (a window's UI goroutine), however
// often it is called while a fetch runs, and what was asked meanwhile is
// fetched once.
func TestFetchNowMergesAndNeverBlocks(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(2)}, true)
	e.server.SetFaults(pop3test.Faults{Stall: &pop3test.Trigger{Command: "UIDL"}, StallFor: 500 * time.Millisecond})
	var mu sync.Mutex
	fetched := 0
	s := &Scheduler{Fetcher: e.fetcher, Accounts: func() []Account { return []Account{e.acct} },
		Done: func(Result, bool) { mu.Lock(); fetched++; mu.Unlock() }}
	s.Start()
	defer s.Stop()
	s.FetchNow()
	for e.server.Sessions() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	for range 100 { // Ctrl+R held down
		s.FetchNow("test")
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("100 requests took %v: FetchNow waited for the fetch", d)
	}
	e.server.SetFaults(pop3test.Faults{})
	time.Sleep(2 * time.Second)
	mu.Lock()
	defer mu.Unlock()
	if fetched != 2 || e.server.Sessions() != 2 {
		t.Fatalf("%d fetches and %d sessions after one request and 100 merged ones, want 2", fetched, e.server.Sessions())
	}
}
