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
	replyTo    string // the command it answers, or "greeting"
	replyStart time.Time
	replyBytes int64
	rateBound  bool // the last read's deadline was the rate's, not silence's

	mu     sync.Mutex
	reason error // set once the call's context is done
}

// startReply starts the clock of the rate rule for the next reply, the
// one to the command name.
func (d *deadlineConn) startReply(name string) {
	d.replyTo, d.replyStart, d.replyBytes = name, time.Now(), 0
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
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		return err
	}
	// A reply that has not begun is silence, whichever deadline came
	// first: the server stopped answering, which a slow network does not
	// explain. Blaming the network would send the user to try again, at
	// the same point, for ever.
	what := "its reply to " + d.replyTo
	if d.replyTo == "greeting" || d.replyTo == "" {
		what = "its greeting"
	}
	switch {
	case d.replyBytes == 0:
		return connError{fmt.Errorf("%w: nothing came for %v while waiting for %s; if it stops at the same point every time, "+
			"the server is not following POP3 there: tell its administrator", ErrTimeout, d.timeout, what)}
	case d.rateBound:
		return connError{fmt.Errorf("%w: %d bytes of %s in %v, under %d bytes a second", ErrTooSlow,
			d.replyBytes, what, time.Since(d.replyStart).Round(time.Second), d.minRate)}
	}
	return connError{fmt.Errorf("%w: %s broke off after %d bytes; nothing more came for %v", ErrTimeout, what, d.replyBytes, d.timeout)}
}
