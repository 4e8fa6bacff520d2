package fetch

import (
	"context"
	"errors"
	"sync"
)

// delivering runs an account's delivery beside its download: each
// commit's messages are handed to the Deliverer in rounds, one at a time,
// while the next ones download, so that a large fetch's upload overlaps
// it rather than following it. finish runs the last round, over all the
// session stored, and says what still waits.
type delivering struct {
	f    *Fetcher
	ctx  context.Context
	acct Account

	mu      sync.Mutex
	queued  []uint64 // committed, not yet handed over
	wake    chan struct{}
	stopped bool
	done    chan struct{}
	sent    int     // delivered by the rounds so far
	refusal []error // what the rounds found refused for good
}

// startDelivering starts the rounds for a session of acct; nil when the
// account does not deliver or nothing can deliver it.
func (f *Fetcher) startDelivering(ctx context.Context, acct Account) *delivering {
	if !f.delivers(acct) || f.Deliver == nil {
		return nil
	}
	d := &delivering{f: f, ctx: ctx, acct: acct, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go d.run()
	return d
}

// committed hands over a commit's messages; safe from any goroutine.
func (d *delivering) committed(ids []uint64) {
	if d == nil {
		return
	}
	d.mu.Lock()
	d.queued = append(d.queued, ids...)
	d.mu.Unlock()
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

func (d *delivering) run() {
	defer close(d.done)
	for range d.wake {
		d.mu.Lock()
		ids, stopped := d.queued, d.stopped
		d.queued = nil
		d.mu.Unlock()
		if stopped || d.ctx.Err() != nil {
			return
		}
		if len(ids) > 0 {
			rep := d.f.Deliver.Deliver(d.ctx, d.acct, ids)
			d.mu.Lock()
			d.sent += rep.Delivered
			if rep.Refusal != nil {
				d.refusal = append(d.refusal, rep.Refusal)
			}
			d.mu.Unlock()
		}
	}
}

// stop ends the rounds once the one under way is done.
func (d *delivering) stop() {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	close(d.wake)
	<-d.done
}

// finish waits for the round under way, then runs the last one over
// stored (this session's messages), and reports all the rounds did.
func (d *delivering) finish(stored []uint64) DeliveryReport {
	d.stop()
	rep := d.f.deliver(d.ctx, d.acct, stored)
	rep.Delivered += d.sent
	if len(d.refusal) > 0 {
		// Said the fetch it happens, whichever round met it.
		rep.Err = errors.Join(append([]error{rep.Err}, d.refusal...)...)
	}
	return rep
}
