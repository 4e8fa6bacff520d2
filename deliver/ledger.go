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
// server's reason after it.
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

// waiting is what acct archived since delivery was turned on, and what
// the fetch just stored, less what the ledger holds as delivered, oldest
// first: send is what to send now, and refused what the target refused
// for good (it waits, on the source, and is not sent again).
func (s *Service) waiting(acct fetch.Account, l ledger, stored []uint64) (send []uint64, refused map[uint64]string, err error) {
	uids, err := s.Archive.Account(acct.Name).UIDs()
	if err != nil {
		return nil, nil, err
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
	if len(cand) == 0 {
		return nil, nil, nil
	}
	had, err := l.read()
	if err != nil {
		return nil, nil, err
	}
	refused = map[uint64]string{}
	for id := range cand {
		switch e, ok := had[id]; {
		case !ok:
			send = append(send, id)
		case e.state == refusedForGood:
			refused[id] = e.reason
		}
	}
	slices.Sort(send)
	return send, refused, nil
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
