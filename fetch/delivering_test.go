package fetch

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"popvault/fetch/pop3test"
)

// fakeDeliverer delivers by the test's rule, and remembers each call's
// stored ids, and the ids its More gave it.
type fakeDeliverer struct {
	mu     sync.Mutex
	calls  [][]uint64
	fed    [][]uint64
	mores  []bool        // whether each call was given a More
	first  chan struct{} // closed when a More first gives ids
	waits  func(id uint64) bool
	broken bool // the archive cannot say what waits
}

func (d *fakeDeliverer) Deliver(ctx context.Context, _ Account, stored []uint64, more More) DeliveryReport {
	d.mu.Lock()
	d.calls = append(d.calls, stored)
	d.mores = append(d.mores, more != nil)
	d.mu.Unlock()
	var fed []uint64
	for more != nil {
		ids := more(ctx)
		if len(ids) == 0 {
			break
		}
		if len(fed) == 0 && d.first != nil {
			close(d.first)
			d.first = nil
		}
		fed = append(fed, ids...)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fed = append(d.fed, fed)
	stored = append(slices.Clone(stored), fed...)
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

// TestDeliveryOverlapsDownload: the Deliverer is called as the download
// starts, and each commit's messages follow through its More into that
// one delivery while the rest download, not only after the last: the
// first commit's callback holds the download until the delivery has its
// messages.
func TestDeliveryOverlapsDownload(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(30)}, true)
	first := make(chan struct{})
	d := &fakeDeliverer{first: first}
	e.acct.Deliver = target
	e.fetcher.Deliver = d
	var once sync.Once
	e.fetcher.Committed = func(string, int) {
		once.Do(func() {
			select {
			case <-first:
			case <-time.After(10 * time.Second):
				t.Error("the delivery was not given the first commit while the download ran")
			}
		})
	}
	if r := e.fetch(); r.Failed() || r.New != 30 {
		t.Fatalf("%+v", r)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.calls) != 2 || len(d.calls[0]) != 0 || !d.mores[0] {
		t.Fatalf("calls with %d ids each (given a More: %v), want the first with none yet, and a More", lens(d.calls), d.mores)
	}
	if got := len(d.fed[0]); got != 30 {
		t.Errorf("the first delivery was given %d through its More, want the session's 30", got)
	}
	if last := d.calls[1]; len(last) != 30 || d.mores[1] {
		t.Errorf("the last delivery had %d of the session's 30, given a More: %v", len(last), d.mores[1])
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
