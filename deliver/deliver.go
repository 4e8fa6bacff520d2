// Package deliver puts what a fetch archives into an IMAP mailbox (a
// Gmail inbox, a label, any server's folder), exactly once, every time an
// account fetches: the standing form of a restore, fed by each fetch.
//
// What waits for an account is what it archived since delivery was
// turned on (its POP UIDs first seen from then, and what the fetch just
// stored) less what the account's ledger in the archive records as
// delivered. Nothing waiting means no IMAP connection at all. What waits
// goes through package restore, whose records make it exactly once
// across kills (pending before APPEND, done after the server's OK, a
// pending message looked for on the server before it is sent again);
// what restore says the server holds is then recorded in the ledger,
// which only grows, so that a message a person deletes from the target is
// not delivered again. The fetch deletes from the POP server only what no
// longer waits (fetch.Deliverer).
//
// A server that throttles ("[THROTTLED]", too many connections, a BYE)
// is waited for and the delivery resumes, a few times, before the rest is
// left waiting for the next fetch.
package deliver

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"popvault/archive"
	"popvault/fetch"
	"popvault/restore"
)

// Service delivers accounts' mail for a fetch: it is a fetch.Deliverer.
type Service struct {
	Archive *archive.Archive
	// SignIn gives what an account's target signs in with (see
	// FromStore).
	SignIn func(ctx context.Context, acct fetch.Account) (restore.Credentials, error)
	// RootCAs, when set, are trusted besides the system's (tests).
	RootCAs *x509.CertPool
	// Timeout is how long the target may stay silent; 0 means 60 s.
	Timeout time.Duration
	// Waits are the pauses before each resume after the target
	// throttled; nil means 10 s, 30 s and 90 s.
	Waits []time.Duration
	// Sleep waits d or until ctx ends; nil means a timer. Tests replace it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress, when set, is called as messages go, from the delivering
	// goroutine.
	Progress func(account string, p restore.Progress)
}

var _ fetch.Deliverer = (*Service)(nil)

// Deliver sends what waits for acct and says what still waits.
func (s *Service) Deliver(ctx context.Context, acct fetch.Account, stored []uint64) fetch.DeliveryReport {
	if acct.Deliver == nil {
		return fetch.DeliveryReport{}
	}
	led := ledgerOf(acct)
	queue, err := s.waiting(acct, led, stored)
	if err != nil {
		return fetch.DeliveryReport{Unknown: true, Err: fmt.Errorf("deliver: reading what waits: %w", err)}
	}
	rep := fetch.DeliveryReport{Waiting: set(queue)}
	if len(queue) == 0 {
		return rep // no connection when nothing waits
	}
	creds, err := s.SignIn(ctx, acct)
	if err != nil {
		rep.Err = fmt.Errorf("deliver: signing in to %s: %w", acct.Deliver, err)
		return rep
	}
	sent, err := s.send(ctx, acct, led, queue, creds, restore.AsNewMail)
	rep.Delivered = len(sent)
	for _, id := range sent {
		delete(rep.Waiting, id)
	}
	rep.Err = err
	return rep
}

// send runs restore over queue, as new mail, resuming after throttling,
// records in the ledger what the server holds, and returns it.
func (s *Service) send(ctx context.Context, acct fetch.Account, led ledger, queue []uint64, creds restore.Credentials, look restore.Look) ([]uint64, error) {
	d := acct.Deliver
	opts := restore.Options{
		Target:      Target(d),
		Credentials: creds,
		Create:      d.Create,
		Timeout:     s.Timeout,
		RootCAs:     s.RootCAs,
		Look:        look,
	}
	if s.Progress != nil {
		opts.Progress = func(p restore.Progress) { s.Progress(acct.Name, p) }
	}
	var all []uint64
	for attempt := 0; ; attempt++ {
		sum, err := restore.Run(ctx, s.Archive, queue, opts)
		if sum != nil && len(sum.OnServer) > 0 {
			if lerr := led.mark(s.Archive, sum.OnServer); lerr != nil {
				return all, fmt.Errorf("deliver: recording what was delivered: %w", lerr)
			}
			all = append(all, sum.OnServer...)
			queue = without(queue, sum.OnServer)
		}
		if err == nil && sum.Complete() {
			return all, nil
		}
		if len(queue) == 0 {
			return all, nil
		}
		if !throttled(err, sum) || attempt == len(s.waits()) || ctx.Err() != nil {
			return all, explain(d, err, sum)
		}
		if werr := s.sleep(ctx, s.waits()[attempt]); werr != nil {
			return all, explain(d, err, sum)
		}
	}
}

func (s *Service) waits() []time.Duration {
	if s.Waits != nil {
		return s.Waits
	}
	return []time.Duration{10 * time.Second, 30 * time.Second, 90 * time.Second}
}

func (s *Service) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Target is the restore target an account delivers into.
func Target(d *fetch.Delivery) restore.Target {
	return restore.Target{Host: d.Host, Port: d.Port, Security: d.Security, CAFile: d.CAFile, User: d.User, Mailbox: d.Mailbox}
}

// throttled reports a target that asked to slow down: Gmail's
// "[THROTTLED]", a limit on simultaneous connections, or a connection it
// closed (BYE) in the middle.
func throttled(err error, sum *restore.Summary) bool {
	var words []string
	if err != nil {
		words = append(words, err.Error())
	}
	if sum != nil {
		words = append(words, sum.UnopenedWhy)
		for _, f := range sum.Failed {
			words = append(words, f.Reason)
		}
	}
	for _, w := range words {
		l := strings.ToLower(w)
		for _, sign := range []string{"throttled", "too many simultaneous", "too many connections", "bye", "connection was lost", "connection reset", "eof"} {
			if strings.Contains(l, sign) {
				return true
			}
		}
	}
	return false
}

// ErrRefused: the target refused messages; the error names them.
var ErrRefused = errors.New("deliver: the target refused messages")

// explain says in words why messages wait, and what to do.
func explain(d *fetch.Delivery, err error, sum *restore.Summary) error {
	var refused []string
	var quota bool
	if sum != nil {
		for _, f := range sum.Failed {
			if strings.HasPrefix(f.Reason, "not sent") {
				continue
			}
			quota = quota || strings.Contains(strings.ToLower(f.Reason), "quota")
			refused = append(refused, fmt.Sprintf("%q (%s)", f.Subject, f.Reason))
		}
	}
	var b strings.Builder
	switch {
	case quota:
		fmt.Fprintf(&b, "%s is full (over its quota): make room there or raise the quota; the mail waits on the server and in the archive, and the next fetch puts it in", d)
	case len(refused) > 0:
		fmt.Fprintf(&b, "%s refused %d message(s), which stay on the server: %s", d, len(refused), strings.Join(clipList(refused, 5), "; "))
	case err != nil:
		fmt.Fprintf(&b, "could not put mail into %s: %v; the mail waits on the server and in the archive, and the next fetch tries again", d, err)
	default:
		fmt.Fprintf(&b, "not all mail went into %s: %s; the next fetch tries again", d, sum)
	}
	if err != nil && (quota || len(refused) > 0) {
		return fmt.Errorf("deliver: %s: %w", b.String(), err)
	}
	if len(refused) > 0 {
		return fmt.Errorf("%w: %s", ErrRefused, strings.TrimPrefix(b.String(), ""))
	}
	return errors.New("deliver: " + b.String())
}

func clipList(l []string, n int) []string {
	if len(l) <= n {
		return l
	}
	return append(l[:n:n], fmt.Sprintf("and %d more", len(l)-n))
}

func set(ids []uint64) map[uint64]bool {
	m := make(map[uint64]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func without(ids, drop []uint64) []uint64 {
	d := set(drop)
	var out []uint64
	for _, id := range ids {
		if !d[id] {
			out = append(out, id)
		}
	}
	return out
}
