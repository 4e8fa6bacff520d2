package fetch

import (
	"context"
	"errors"
	"sync"
)

// delivering runs an account's delivery beside its download: the
// Deliverer is called as the download starts, so that its connections
// open while the first messages arrive, and is handed each commit's
// messages as they land (More): a large fetch's upload overlaps it, over
// one set of connections, rather than following it. Should that delivery
// end early (the target failed), the next commit starts another. finish
// runs the last one, over all the session stored, and says what still
// waits.
type delivering struct {
	f    *Fetcher
	ctx  context.Context
	acct Account

	mu      sync.Mutex
	queued  []uint64 // committed, not yet handed over
	wake    chan struct{}
	stopped bool
	done    chan struct{}
	sent    int     // delivered by the deliveries so far
	refusal []error // what the deliveries found refused for good
}

// startDelivering starts delivering for a session of acct that is about
// to download; nil when the account does not deliver or nothing can
// deliver it.
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
	var ids []uint64 // none yet: the first call connects while they come
	for {
		rep := d.f.Deliver.Deliver(d.ctx, d.acct, ids, d.next)
		d.mu.Lock()
		d.sent += rep.Delivered
		if rep.Refusal != nil {
			d.refusal = append(d.refusal, rep.Refusal)
		}
		d.mu.Unlock()
		if ids = d.next(d.ctx); len(ids) == 0 {
			return
		}
	}
}

// next waits for commits not yet handed over and takes them; none once
// the session stopped (after what it had queued) or ctx ended.
func (d *delivering) next(ctx context.Context) []uint64 {
	for {
		d.mu.Lock()
		ids, stopped := d.queued, d.stopped
		d.queued = nil
		d.mu.Unlock()
		switch {
		case d.ctx.Err() != nil:
			return nil
		case len(ids) > 0:
			return ids
		case stopped:
			return nil
		}
		select {
		case <-d.wake: // closed once stopped
		case <-ctx.Done():
			return nil
		}
	}
}

// stop ends the deliveries once the one under way has sent what it was
// given.
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
