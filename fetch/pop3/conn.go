package pop3

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"
)

// deadlineConn gives every Read and Write a fresh deadline, so a timeout
// measures silence rather than the length of a whole download, and lets a
// cancelled context interrupt a blocked call. Silence alone would let a
// server that sends a byte now and then hold a session (and the caller's
// archive) for ever, so each reply must also keep up minRate on average,
// counted from when the client starts to read it, after a first timeout's
// grace: a reply of n bytes has timeout + n/minRate to arrive.
type deadlineConn struct {
	net.Conn
	timeout time.Duration
	minRate int // bytes per second; <= 0: no rate rule

	// The reply being read: touched only by the goroutine that reads.
	replyStart time.Time
	replyBytes int64
	rateBound  bool // the last read's deadline was the rate's, not silence's

	mu     sync.Mutex
	reason error // set once the call's context is done
}

// startReply starts the clock of the rate rule for the next reply.
func (d *deadlineConn) startReply() {
	d.replyStart, d.replyBytes = time.Now(), 0
}

// connError is an error deadlineConn has already worded for this
// package, which readErr passes on unchanged.
type connError struct{ error }

func (e connError) Unwrap() error { return e.error }

func (d *deadlineConn) Read(p []byte) (int, error) {
	if err := d.arm(func(silence time.Time) error {
		deadline := silence
		d.rateBound = false
		if d.minRate > 0 && !d.replyStart.IsZero() {
			allowed := d.timeout + time.Duration(d.replyBytes)*time.Second/time.Duration(d.minRate)
			if due := d.replyStart.Add(allowed); due.Before(silence) {
				deadline, d.rateBound = due, true
			}
		}
		return d.Conn.SetReadDeadline(deadline)
	}); err != nil {
		return 0, err
	}
	n, err := d.Conn.Read(p)
	d.replyBytes += int64(n)
	return n, d.explain(err)
}

func (d *deadlineConn) Write(p []byte) (int, error) {
	if err := d.arm(d.Conn.SetWriteDeadline); err != nil {
		return 0, err
	}
	n, err := d.Conn.Write(p)
	return n, d.explain(err)
}

// arm sets the next deadline, given the silence deadline, unless the
// call was interrupted; the lock keeps a concurrent interrupt from being
// overwritten by a fresh deadline.
func (d *deadlineConn) arm(set func(silence time.Time) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.reason != nil {
		return d.reason
	}
	return set(time.Now().Add(d.timeout))
}

// interrupt makes any blocked or future Read or Write fail with reason.
func (d *deadlineConn) interrupt(reason error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reason = connError{fmt.Errorf("pop3: %w", reason)}
	d.Conn.SetDeadline(time.Unix(1, 0))
}

func (d *deadlineConn) explain(err error) error {
	if err == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.reason != nil {
		return d.reason
	}
	if errors.Is(err, os.ErrDeadlineExceeded) && d.rateBound {
		return connError{fmt.Errorf("%w: %d bytes of a reply in %v, under %d bytes a second", ErrTooSlow,
			d.replyBytes, time.Since(d.replyStart).Round(time.Second), d.minRate)}
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return connError{fmt.Errorf("%w: no data for %v", ErrTimeout, d.timeout)}
	}
	return err
}
