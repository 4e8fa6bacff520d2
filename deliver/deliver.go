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
	"maps"
	"slices"
	"strings"
	"time"

	"popvault/archive"
	"popvault/fetch"
	"popvault/internal/keylock"
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

// Deliver sends what waits for acct and says what still waits; with
// more, also what the fetch commits next, as it lands, until more gives
// none (connecting at once, to be ready when the first of it comes).
func (s *Service) Deliver(ctx context.Context, acct fetch.Account, stored []uint64, more fetch.More) (rep fetch.DeliveryReport) {
	if acct.Deliver == nil {
		return fetch.DeliveryReport{}
	}
	led := ledgerOf(s.Archive, acct)
	unlock, err := lockTarget(ctx, s.Archive, led.target)
	if err != nil {
		return fetch.DeliveryReport{Unknown: true, Err: fmt.Errorf("deliver: %w", err)}
	}
	defer unlock()
	q, err := s.waiting(acct, led, stored)
	if err != nil {
		return fetch.DeliveryReport{Unknown: true, Err: fmt.Errorf("deliver: reading what waits: %w", err)}
	}
	rep = fetch.DeliveryReport{Waiting: q.held()}
	before := maps.Clone(q.refused)
	defer func() {
		rep.Refused = len(q.refused)
		rep.Note = note(s.Archive, acct.Deliver, q.refused)
		fresh := maps.Clone(q.refused)
		maps.DeleteFunc(fresh, func(id uint64, _ string) bool { _, was := before[id]; return was })
		if len(fresh) > 0 {
			rep.Refusal = &refusedError{tooLarge(s.Archive, acct.Deliver, fresh)}
		}
	}()
	var feed func(context.Context) []uint64
	if more != nil {
		feed = s.unsent(led, more, rep.Waiting)
	}
	if len(q.fresh)+len(q.archive) == 0 && feed == nil {
		// No connection when nothing is to be sent.
		return rep
	}
	creds, err := s.SignIn(ctx, acct)
	if err != nil {
		rep.Err = fmt.Errorf("deliver: signing in to %s: %w; the mail waits on the server and in the archive", acct.Deliver, err)
		return rep
	}
	for _, part := range []struct {
		ids  []uint64
		look restore.Look
	}{{q.fresh, restore.AsNewMail}, {q.archive, restore.AsArchived}} {
		var partFeed func(context.Context) []uint64
		if part.look == restore.AsNewMail {
			partFeed = feed
		}
		if len(part.ids) == 0 && partFeed == nil {
			continue
		}
		sent, err := s.send(ctx, acct, led, part.ids, creds, part.look, q.refused, partFeed)
		rep.Delivered += len(sent)
		for _, id := range sent {
			delete(rep.Waiting, id)
		}
		if err != nil && rep.Err == nil {
			rep.Err = err
		}
		if err != nil && !errors.Is(err, ErrRefused) {
			break // the target is down, or full: the rest waits too
		}
	}
	return rep
}

// targets are the deliveries under way in this process, one per
// account's target at a time: a fetch's and a backlog's runs must not
// send the same message side by side (restore's records are each run's
// word about what it sent). Another process cannot open the archive.
var targets keylock.Locks[targetKey]

type targetKey struct {
	a      *archive.Archive
	target string
}

// lockTarget waits until no other delivery into target runs, or ctx
// ends, and returns what lets the next one in.
func lockTarget(ctx context.Context, a *archive.Archive, target string) (func(), error) {
	return targets.Lock(ctx, targetKey{a, target})
}

// unsent is more, less what the ledger holds as delivered or refused
// for good (a message archived before, downloaded again after a kill):
// what it gives is added to waiting.
func (s *Service) unsent(led ledger, more fetch.More, waiting map[uint64]bool) func(context.Context) []uint64 {
	return func(ctx context.Context) []uint64 {
		for {
			ids := more(ctx)
			if len(ids) == 0 {
				return nil
			}
			var out []uint64
			err := led.recs.View(led.target, func(t *archive.Target) error {
				for _, id := range ids {
					if v := t.Get(id); len(v) == 0 || v[0] == wanted {
						out = append(out, id)
					}
				}
				return nil
			})
			if errors.Is(err, archive.ErrNotFound) {
				out, err = ids, nil
			}
			if err != nil {
				// What cannot be looked up is left to the fetch's last
				// delivery, which reads what waits whole.
				return nil
			}
			for _, id := range out {
				waiting[id] = true
			}
			if len(out) > 0 {
				return out
			}
		}
	}
}

// send runs restore over queue, and what feed gives while it runs,
// resuming after throttling; records in the ledger what the server holds
// and what it refused for good (added to refused), and returns what it
// holds.
func (s *Service) send(ctx context.Context, acct fetch.Account, led ledger, queue []uint64, creds restore.Credentials, look restore.Look, refused map[uint64]string, feed func(context.Context) []uint64) ([]uint64, error) {
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
	var all, fed []uint64
	if feed != nil {
		opts.Feed = func(ctx context.Context) []uint64 {
			ids := feed(ctx)
			fed = append(fed, ids...)
			return ids
		}
	}
	fresh := map[uint64]string{} // refused for good by this run: said once, now
	for attempt := 0; ; attempt++ {
		sum, err := restore.Run(ctx, s.Archive, queue, opts)
		// What was fed is asked for like the rest; a resumed run sends
		// it without waiting for more, which is left to the next
		// delivery.
		queue, fed, opts.Feed = append(queue, fed...), nil, nil
		now := map[uint64]string{}
		if sum != nil {
			for _, f := range sum.Failed {
				if forGood(f.Reason) {
					now[f.ID] = f.Reason
				}
			}
		}
		var held []uint64
		if sum != nil {
			held = sum.OnServer
		}
		if lerr := led.mark(held, now); lerr != nil {
			return all, fmt.Errorf("deliver: recording what was delivered: %w", lerr)
		}
		for id, why := range now {
			refused[id], fresh[id] = why, why
		}
		all = append(all, held...)
		queue = without(without(queue, held), keys(now))
		if len(queue) == 0 || (err == nil && sum.Complete()) {
			return all, s.explain(d, nil, nil, fresh)
		}
		if !throttled(err, sum) || attempt == len(s.waits()) || ctx.Err() != nil {
			return all, s.explain(d, err, sum, fresh)
		}
		if werr := s.sleep(ctx, s.waits()[attempt]); werr != nil {
			return all, s.explain(d, err, sum, fresh)
		}
	}
}

// forGood reports a refusal that sending again will not change: the
// message is larger than the server takes.
func forGood(reason string) bool {
	l := strings.ToLower(reason)
	return strings.Contains(l, "too large") || strings.Contains(l, "too big") || strings.Contains(l, "larger than the maximum") || strings.Contains(l, "(limit)")
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

// tooLarge names the messages the target refuses for good, and says
// what becomes of them and what a person can do.
func tooLarge(a *archive.Archive, d *fetch.Delivery, refused map[uint64]string) string {
	var named []string
	for _, id := range slices.Sorted(maps.Keys(refused)) {
		subject := "(no subject)"
		if m, err := a.Summary(id); err == nil && m.Subject != "" {
			subject = m.Subject
		}
		named = append(named, fmt.Sprintf("%q (%s)", subject, refused[id]))
	}
	what, subj, obj := "message", "it is", "it"
	if len(refused) > 1 {
		what, subj, obj = fmt.Sprintf("%d messages", len(refused)), "they are", "them"
	}
	return fmt.Sprintf("%s will not take the %s %s, too large for it: not sent again, %s kept on the POP server and in the archive; "+
		"read %s in popvault, and delete %s from the POP server when you no longer want %s there",
		d, what, strings.Join(clipList(named, 5), "; "), subj, obj, obj, obj)
}

// note is an account's standing note about its delivery: the messages
// its target refused for good, or "" when there are none.
func note(a *archive.Archive, d *fetch.Delivery, refused map[uint64]string) string {
	if len(refused) == 0 {
		return ""
	}
	return capitalize(tooLarge(a, d, refused)) + "."
}

// Note is acct's standing note about its delivery, as [Service.Deliver]
// reports it after each fetch: for status and account list, which show
// it without a fetch. "" when acct does not deliver or nothing is
// refused.
func Note(a *archive.Archive, acct fetch.Account) (string, error) {
	if acct.Deliver == nil {
		return "", nil
	}
	had, err := ledgerOf(a, acct).read()
	if err != nil {
		return "", fmt.Errorf("deliver: reading what was delivered: %w", err)
	}
	refused := map[uint64]string{}
	for id, e := range had {
		if e.state == refusedForGood {
			refused[id] = e.reason
		}
	}
	return note(a, acct.Deliver, refused), nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ErrRefused: the target refused messages; the error names them.
var ErrRefused = errors.New("deliver: the target refused messages")

// refusedError says which messages the target refused, in words; it is
// ErrRefused.
type refusedError struct{ msg string }

func (e *refusedError) Error() string        { return "deliver: " + e.msg }
func (e *refusedError) Is(target error) bool { return target == ErrRefused }

// explain says in words why messages wait, and what to do: nil when
// none does.
func (s *Service) explain(d *fetch.Delivery, err error, sum *restore.Summary, refused map[uint64]string) error {
	var quota bool
	var others []string
	if sum != nil {
		for _, f := range sum.Failed {
			if strings.HasPrefix(f.Reason, "not sent") || forGood(f.Reason) {
				continue
			}
			quota = quota || strings.Contains(strings.ToLower(f.Reason), "quota")
			others = append(others, fmt.Sprintf("%q (%s)", f.Subject, f.Reason))
		}
	}
	var parts []string
	switch {
	case quota:
		parts = append(parts, fmt.Sprintf("%s is full (over its quota): make room there or raise the quota; the rest waits on the server and in the archive, and the next fetch puts it in", d))
	case len(others) > 0:
		parts = append(parts, fmt.Sprintf("%s refused %d message(s), which wait on the server for the next fetch: %s", d, len(others), strings.Join(clipList(others, 5), "; ")))
	case err != nil:
		parts = append(parts, fmt.Sprintf("could not put mail into %s (%v); the mail waits on the server and in the archive, and the next fetch tries again", d, err))
	case sum != nil && !sum.Complete():
		parts = append(parts, fmt.Sprintf("not all mail went into %s (%s); the next fetch tries again", d, sum))
	}
	if len(refused) > 0 {
		parts = append(parts, tooLarge(s.Archive, d, refused))
	}
	if len(parts) == 0 {
		return nil
	}
	msg := "deliver: " + strings.Join(parts, ". ")
	if len(others) > 0 || len(refused) > 0 || quota {
		return &refusedError{strings.TrimPrefix(msg, "deliver: ")}
	}
	return errors.New(msg)
}

func keys(m map[uint64]string) []uint64 { return slices.Collect(maps.Keys(m)) }

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
