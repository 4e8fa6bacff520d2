package keylock

import (
	"context"
	"errors"
	"testing"
)

// TestOneHolderPerKey: a second Lock of a held key waits until the first
// lets go; another key does not wait; a waiter whose context ends gives
// up with its error and holds nothing.
func TestOneHolderPerKey(t *testing.T) {
	waiting := make(chan string, 4)
	l := &Locks[string]{Waiting: func(k string) { waiting <- k }}
	ctx := context.Background()
	unlockA, err := l.Lock(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	unlockB, err := l.Lock(ctx, "b") // another key: at once
	if err != nil {
		t.Fatal(err)
	}
	unlockB()

	got := make(chan func(), 1)
	go func() {
		u, err := l.Lock(ctx, "a")
		if err != nil {
			t.Error(err)
		}
		got <- u
	}()
	if k := <-waiting; k != "a" {
		t.Fatalf("waited for %q", k)
	}
	select {
	case <-got:
		t.Fatal("a second holder of a held key")
	default:
	}
	unlockA()
	(<-got)()

	cctx, cancel := context.WithCancel(ctx)
	unlockA, _ = l.Lock(ctx, "a")
	go func() { <-waiting; cancel() }()
	if _, err := l.Lock(cctx, "a"); !errors.Is(err, context.Canceled) {
		t.Fatalf("a cancelled wait: %v", err)
	}
	unlockA()
	if len(l.busy) != 0 {
		t.Fatalf("%d keys kept after every holder let go", len(l.busy))
	}
}
