package deliver

import (
	"slices"
	"time"

	"popvault/archive"
	"popvault/fetch"
)

// ledger is an account's record of what it delivered into its target.
// It only grows: restore's own record of a target forgets a message the
// server no longer holds (to send it again), which for a delivery is a
// message the person deleted there, never to come back.
type ledger struct {
	key   string
	since time.Time
}

// ledgerValidity stands where a restore record keeps a UIDVALIDITY: a
// ledger is never restarted.
const ledgerValidity = 1

func ledgerOf(acct fetch.Account) ledger {
	id := acct.ID
	if id == "" {
		id = acct.Name
	}
	return ledger{key: "deliver:" + id + ":" + Target(acct.Deliver).Key(), since: acct.Deliver.Since}
}

// delivered reads the ledger.
func (l ledger) delivered(a *archive.Archive) (map[uint64]uint32, error) {
	rec, _, err := a.StartRestore(l.key, ledgerValidity)
	return rec.Done, err
}

func (l ledger) mark(a *archive.Archive, ids []uint64) error {
	if _, _, err := a.StartRestore(l.key, ledgerValidity); err != nil {
		return err
	}
	m := make(map[uint64]uint32, len(ids))
	for _, id := range ids {
		m[id] = 0
	}
	return a.MarkRestore(l.key, archive.RestoreDone, m)
}

// waiting is what acct archived since delivery was turned on, and what
// the fetch just stored, less what the ledger holds, oldest first.
func (s *Service) waiting(acct fetch.Account, l ledger, stored []uint64) ([]uint64, error) {
	uids, err := s.Archive.UIDs(acct.Name)
	if err != nil {
		return nil, err
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
		return nil, nil
	}
	done, err := l.delivered(s.Archive)
	if err != nil {
		return nil, err
	}
	var out []uint64
	for id := range cand {
		if _, ok := done[id]; !ok {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Since is when delivery turned on now for acct starts: now, or, where
// the account archived mail within this second, the next second. What
// the archive records of a POP UID is the second it was first seen, and
// the mail archived before delivery was turned on must not count as
// after it.
func Since(a *archive.Archive, acct fetch.Account, now time.Time) (time.Time, error) {
	since := now.Truncate(time.Second)
	uids, err := a.UIDs(acct.Name)
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
