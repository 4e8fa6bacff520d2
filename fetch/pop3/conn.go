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
// cancelled context interrupt a blocked call.
type deadlineConn struct {
	net.Conn
	timeout time.Duration

	mu     sync.Mutex
	reason error // set once the call's context is done
}

// connError is an error deadlineConn has already worded for this
// package, which readErr passes on unchanged.
type connError struct{ error }

func (e connError) Unwrap() error { return e.error }

func (d *deadlineConn) Read(p []byte) (int, error) {
	if err := d.arm(d.Conn.SetReadDeadline); err != nil {
		return 0, err
	}
	n, err := d.Conn.Read(p)
	return n, d.explain(err)
}

func (d *deadlineConn) Write(p []byte) (int, error) {
	if err := d.arm(d.Conn.SetWriteDeadline); err != nil {
		return 0, err
	}
	n, err := d.Conn.Write(p)
	return n, d.explain(err)
}

// arm sets the next deadline unless the call was interrupted; the lock keeps
// a concurrent interrupt from being overwritten by a fresh deadline.
func (d *deadlineConn) arm(set func(time.Time) error) error {
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
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return connError{fmt.Errorf("%w: no data for %v", ErrTimeout, d.timeout)}
	}
	return err
}
