package fetch

import (
	"context"
	"errors"
	"sync"
	"testing"

	"popvault/fetch/pop3test"
)

// fakeDeliverer delivers by the test's rule, and remembers each call's
// stored ids.
type fakeDeliverer struct {
	mu     sync.Mutex
	calls  [][]uint64
	first  chan struct{} // closed at the first call
	waits  func(id uint64) bool
	broken bool // the archive cannot say what waits
}

func (d *fakeDeliverer) Deliver(_ context.Context, _ Account, stored []uint64) DeliveryReport {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.calls) == 0 && d.first != nil {
		close(d.first)
	}
	d.calls = append(d.calls, stored)
	if d.broken {
		return DeliveryReport{Unknown: true, Err: errors.New("the archive failed")}
	}
	rep := DeliveryReport{Waiting: map[uint64]bool{}}
	for _, id := range stored {
		if d.waits != nil && d.waits(id) {
			rep.Waiting[id] = true
		} else {
			rep.Delivered++
		}
	}
	if len(rep.Waiting) > 0 {
		rep.Err = errors.New("the target refused some")
	}
	return rep
}

var target = &Delivery{Host: "imap.example.org", User: "me", Mailbox: "INBOX"}

// TestDeliveryKeepsSource: in delete mode, what the delivery says waits
// stays on the POP server, and the rest is deleted; when what waits is
// unknown, or the account delivers and the Fetcher has no Deliverer,
// nothing is deleted.
func TestDeliveryKeepsSource(t *testing.T) {
	for name, c := range map[string]struct {
		deliverer Deliverer
		left      int
	}{
		"half waits":   {&fakeDeliverer{waits: func(id uint64) bool { return id%2 == 0 }}, 10},
		"none waits":   {&fakeDeliverer{}, 0},
		"unknown":      {&fakeDeliverer{broken: true}, 20},
		"no deliverer": {nil, 20},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, pop3test.Config{Messages: smallCorpus(20)}, false)
			e.acct.Deliver = target
			e.fetcher.Deliver = c.deliverer
			r := e.fetch()
			if r.Err != nil || r.New != 20 {
				t.Fatalf("%+v", r)
			}
			if a, s := e.check(); a != 20 || s != c.left {
				t.Fatalf("archive %d, server %d, want %d left", a, s, c.left)
			}
			if (c.left > 0) != (r.DeliveryErr != nil) || r.Failed() != (c.left > 0) {
				t.Errorf("%d left on the source, and the result says %v", c.left, r.DeliveryErr)
			}
		})
	}
}

// TestDeliveryOverlapsDownload: a commit's messages are handed to the
// Deliverer while the rest download, not only after the last: the first
// commit's callback holds the download until the delivery has begun.
func TestDeliveryOverlapsDownload(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(30)}, true)
	d := &fakeDeliverer{first: make(chan struct{})}
	e.acct.Deliver = target
	e.fetcher.Deliver = d
	var once sync.Once
	e.fetcher.Committed = func(string, int) { once.Do(func() { <-d.first }) }
	if r := e.fetch(); r.Failed() || r.New != 30 {
		t.Fatalf("%+v", r)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.calls) < 2 || len(d.calls[0]) != e.fetcher.BatchCount {
		t.Fatalf("calls with %d ids each, want the first commit's %d first", lens(d.calls), e.fetcher.BatchCount)
	}
	if last := d.calls[len(d.calls)-1]; len(last) != 30 {
		t.Errorf("the last round had %d of the session's 30", len(last))
	}
}

// TestNoDeliveryNoCall: an account that does not deliver never calls the
// Deliverer.
func TestNoDeliveryNoCall(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(5)}, false)
	d := &fakeDeliverer{}
	e.fetcher.Deliver = d
	if r := e.fetch(); r.Failed() || r.Deleted != 5 {
		t.Fatalf("%+v", r)
	}
	if len(d.calls) != 0 {
		t.Errorf("%d calls", len(d.calls))
	}
}

func lens(calls [][]uint64) []int {
	var out []int
	for _, c := range calls {
		out = append(out, len(c))
	}
	return out
}
