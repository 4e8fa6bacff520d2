package deliver

import (
	"errors"
	"slices"
	"time"

	"popvault/archive"
	"popvault/fetch"
)

// ledger is an account's record of what it delivered into its target,
// kept in the archive's records (archive.Records) under the service
// "deliveries", one target per account and mailbox. It only grows:
// restore's own records of a target forget a message the server no
// longer holds (to send it again), which for a delivery is a message the
// person deleted there, never to come back.
//
// A message's value is a state byte, and for a refusal for good the
// server's reason after it. A message asked for with "also what is
// archived" is recorded as wanted before it is sent, so that it holds
// the source (the delete gate) until it is there, whichever run sends
// it, and across a kill.
type ledger struct {
	recs   archive.Records
	target string
	since  time.Time
}

const ledgerService = "deliveries"

// A message's state in the ledger.
const (
	delivered      = 'D' // the server holds it, by its word
	refusedForGood = 'R' // the server will never take it (too large): not sent again, kept on the source
	wanted         = 'W' // archived before delivery was turned on, asked for since: to be sent, as archived
)

func ledgerOf(a *archive.Archive, acct fetch.Account) ledger {
	id := acct.ID
	if id == "" {
		id = acct.Name
	}
	return ledger{recs: a.Records(ledgerService), target: id + " " + Target(acct.Deliver).Key(), since: acct.Deliver.Since}
}

// entry is what the ledger says of one message.
type entry struct {
	state  byte
	reason string // for refusedForGood
}

// read reads the ledger; none yet is an empty one.
func (l ledger) read() (map[uint64]entry, error) {
	out := map[uint64]entry{}
	err := l.recs.View(l.target, func(t *archive.Target) error {
		return t.Each(func(id uint64, v []byte) error {
			if len(v) > 0 {
				out[id] = entry{state: v[0], reason: string(v[1:])}
			}
			return nil
		})
	})
	if errors.Is(err, archive.ErrNotFound) {
		err = nil
	}
	return out, err
}

// mark records messages as delivered, and others as refused for good
// with the server's reason, in one durable commit.
func (l ledger) mark(done []uint64, refused map[uint64]string) error {
	if len(done) == 0 && len(refused) == 0 {
		return nil
	}
	v := make(map[uint64][]byte, len(done)+len(refused))
	for id, why := range refused {
		v[id] = append([]byte{refusedForGood}, why...)
	}
	for _, id := range done {
		v[id] = []byte{delivered}
	}
	return l.recs.Update(l.target, func(t *archive.Target) error { return t.Put(v) })
}

// want records ids as wanted ("also what is archived"), those the ledger
// has no word of yet, in one durable commit, and returns how many of ids
// it already had.
func (l ledger) want(ids []uint64) (had int, err error) {
	got, err := l.read()
	if err != nil {
		return 0, err
	}
	v := map[uint64][]byte{}
	for _, id := range ids {
		if _, ok := got[id]; ok {
			had++
		} else {
			v[id] = []byte{wanted}
		}
	}
	if len(v) == 0 {
		return had, nil
	}
	return had, l.recs.Update(l.target, func(t *archive.Target) error { return t.Put(v) })
}

// queue is what waits for an account's target, oldest first each.
type queue struct {
	fresh   []uint64          // archived since delivery was turned on: sent as new mail
	archive []uint64          // wanted from before: sent as archived
	refused map[uint64]string // refused for good: held on the source, not sent again
}

// held is every message the queue keeps on the source.
func (q queue) held() map[uint64]bool {
	m := set(q.fresh)
	for _, id := range q.archive {
		m[id] = true
	}
	for id := range q.refused {
		m[id] = true
	}
	return m
}

// waiting is what acct archived since delivery was turned on, what the
// fetch just stored, and what was wanted from before, less what the
// ledger holds as delivered. Every message to be delivered is in it, so
// that the fetch's delete gate keeps it on the source until it is there;
// mail archived before delivery was turned on and not asked for is not,
// so it never holds the source.
func (s *Service) waiting(acct fetch.Account, l ledger, stored []uint64) (queue, error) {
	q := queue{refused: map[uint64]string{}}
	uids, err := s.Archive.Account(acct.Name).UIDs()
	if err != nil {
		return q, err
	}
	cand := map[uint64]bool{}
	for _, st := range uids {
		if !st.FirstSeen.Before(l.since.Truncate(time.Second)) {
			cand[st.ID] = true
		}
	}
	for _, id := range stored {
		cand[id] = true
	}
	had, err := l.read()
	if err != nil {
		return q, err
	}
	for id := range cand {
		switch e, ok := had[id]; {
		case !ok, e.state == wanted:
			q.fresh = append(q.fresh, id)
		case e.state == refusedForGood:
			q.refused[id] = e.reason
		}
	}
	for id, e := range had {
		switch {
		case cand[id]:
		case e.state == wanted:
			q.archive = append(q.archive, id)
		case e.state == refusedForGood:
			q.refused[id] = e.reason
		}
	}
	slices.Sort(q.fresh)
	slices.Sort(q.archive)
	return q, nil
}

// Since is when delivery turned on now for acct starts: now, or, where
// the account archived mail within this second, the next second. What
// the archive records of a POP UID is the second it was first seen, and
// the mail archived before delivery was turned on must not count as
// after it.
func Since(a *archive.Archive, acct fetch.Account, now time.Time) (time.Time, error) {
	since := now.Truncate(time.Second)
	uids, err := a.Account(acct.Name).UIDs()
	if err != nil {
		return time.Time{}, err
	}
	for _, st := range uids {
		if !st.FirstSeen.Before(since) {
			since = st.FirstSeen.Add(time.Second)
		}
	}
	return since, nil
}
