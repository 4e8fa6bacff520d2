package fetch

import (
	"testing"
	"time"
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
