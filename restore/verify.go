package restore

import (
	"context"
	"crypto/sha256"
	"maps"
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// uidChunk bounds the ranges of one UID SEARCH: servers limit a command's
// length (RFC 7162 asks clients to keep to 8,192 octets), and a set of
// scattered UIDs is long. Contiguous UIDs, as a restore leaves them, are
// one range.
const uidChunk = 400

// recheck brings the record in line with the mailbox before anything is
// sent: messages recorded as restored that the mailbox no longer holds
// are forgotten, to be sent again, and pending ones are looked for. It
// returns the forgotten. The record alone is never believed: the person
// may have emptied the mailbox, or taken a Gmail label off, and the
// mailbox keeps its UIDVALIDITY.
//
// It leaves the mailbox unselected: Courier refuses an APPEND into the
// mailbox the connection has examined.
func (r *run) recheck(ctx context.Context, c *conn, rec *record) (gone map[uint64]bool, err error) {
	st, err := r.examine(c)
	if err != nil {
		return nil, err
	}
	defer func() {
		if uerr := unselect(c); err == nil && uerr != nil {
			err = uerr
		}
	}()
	if gone, err = r.checkDone(c, rec, st.exists == 0); err != nil {
		return nil, err
	}
	if len(rec.Pending) > 0 {
		if err := r.resolve(ctx, c, rec); err != nil {
			return nil, err
		}
	}
	return gone, nil
}

// unselect leaves the selected mailbox: with UNSELECT where the server
// has it, else with CLOSE, which expunges nothing in a mailbox selected
// with EXAMINE (RFC 3501, 6.4.2).
func unselect(c *conn) error {
	if c.Caps().Has(imap.CapUnselect) {
		return c.wait(c.Unselect())
	}
	return c.wait(c.UnselectAndExpunge())
}

// checkDone asks the server which messages recorded as done its mailbox
// still holds: by UID, in a few UID SEARCH commands over the recorded
// UIDs, and for records without a UID (a server without UIDPLUS) by one
// listing of the mailbox (see locate), whose finds are recorded with
// their UIDs so that the next run asks by UID. Those not there are
// forgotten and taken out of rec; the UIDs of those there are claimed.
func (r *run) checkDone(c *conn, rec *record, empty bool) (gone map[uint64]bool, err error) {
	var uids []imap.UID
	var noUID []uint64
	for id, uid := range rec.Done {
		if uid == 0 {
			noUID = append(noUID, id)
		} else {
			uids = append(uids, imap.UID(uid))
		}
	}
	there, err := present(c, uids)
	if err != nil {
		return nil, err
	}
	gone = map[uint64]bool{}
	for id, uid := range rec.Done {
		if uid == 0 {
			continue
		}
		if there[imap.UID(uid)] {
			r.claimed[imap.UID(uid)] = true
		} else {
			gone[id] = true
		}
	}
	if len(noUID) > 0 {
		found := map[uint64]uint32{}
		if !empty { // FETCH 1:* in an empty mailbox is an error
			if found, err = r.locate(c, noUID); err != nil {
				return nil, err
			}
		}
		for _, id := range noUID {
			if uid, ok := found[id]; ok {
				rec.Done[id] = uid
			} else {
				gone[id] = true
			}
		}
		if err := r.ledger.mark(stateDone, found); err != nil {
			return nil, err
		}
	}
	for id := range gone {
		delete(rec.Done, id)
	}
	if err := r.ledger.forget(slices.Sorted(maps.Keys(gone))); err != nil {
		return nil, err
	}
	return gone, nil
}

// present returns which of uids the selected mailbox holds.
func present(c *conn, uids []imap.UID) (map[imap.UID]bool, error) {
	var opts *imap.SearchOptions
	if c.Caps().Has(imap.CapESearch) {
		opts = &imap.SearchOptions{ReturnAll: true}
	}
	there := make(map[imap.UID]bool, len(uids))
	for _, set := range uidSets(uids) {
		data, err := waitFor(c, c.UIDSearch(&imap.SearchCriteria{UID: []imap.UIDSet{set}}, opts))
		if err != nil {
			return nil, err
		}
		for _, uid := range data.AllUIDs() {
			there[uid] = true
		}
	}
	return there, nil
}

// uidSets turns UIDs into sets of at most uidChunk ranges, in order. It
// sorts uids.
func uidSets(uids []imap.UID) []imap.UIDSet {
	slices.Sort(uids)
	var ranges []imap.UIDRange
	for _, uid := range uids {
		switch n := len(ranges); {
		case n > 0 && uid <= ranges[n-1].Stop: // a repeat
		case n > 0 && uid == ranges[n-1].Stop+1:
			ranges[n-1].Stop = uid
		default:
			ranges = append(ranges, imap.UIDRange{Start: uid, Stop: uid})
		}
	}
	var sets []imap.UIDSet
	for len(ranges) > 0 {
		n := min(len(ranges), uidChunk)
		sets = append(sets, imap.UIDSet(ranges[:n]))
		ranges = ranges[n:]
	}
	return sets
}

// locate finds messages recorded without a UID in the selected mailbox,
// from one listing of it (UID, size and Message-ID of each message, one
// message at a time), rather than a search per message, which a server
// answers by reading every message: linear, not quadratic, in a large
// mailbox. A message is there when an unclaimed one has its Message-ID
// and size; those without a Message-ID (or not found by it) are compared
// byte for byte with the messages of their size, fetched for that alone.
// It returns the UIDs found, and claims them.
func (r *run) locate(c *conn, ids []uint64) (map[uint64]uint32, error) {
	var probes []*probe
	for _, id := range ids {
		p, ok, err := r.newProbe(id)
		if err != nil {
			return nil, err
		}
		if ok {
			probes = append(probes, p)
		}
	}
	// Each list is taken from the front, claimed UIDs dropped as met:
	// linear however many messages share a Message-ID or a size.
	type idSize struct {
		messageID string
		size      int64
	}
	byID := map[idSize][]imap.UID{}
	bySize := map[int64][]imap.UID{}
	var all imap.SeqSet
	all.AddRange(1, 0)
	cmd := c.Fetch(all, &imap.FetchOptions{UID: true, RFC822Size: true, Envelope: true})
	done := c.w.await()
	for m := cmd.Next(); m != nil; m = cmd.Next() {
		buf, err := m.Collect()
		if err != nil {
			break // Close says why
		}
		if r.claimed[buf.UID] || buf.UID == 0 {
			continue
		}
		if buf.Envelope != nil && buf.Envelope.MessageID != "" {
			k := idSize{strings.Trim(buf.Envelope.MessageID, "<> "), buf.RFC822Size}
			byID[k] = append(byID[k], buf.UID)
		}
		bySize[buf.RFC822Size] = append(bySize[buf.RFC822Size], buf.UID)
	}
	err := cmd.Close()
	done()
	if err != nil {
		return nil, c.explain(err)
	}
	found := map[uint64]uint32{}
	take := func(p *probe, uids []imap.UID) []imap.UID {
		for len(uids) > 0 && r.claimed[uids[0]] {
			uids = uids[1:]
		}
		if len(uids) > 0 {
			p.found = uids[0]
			r.claimed[uids[0]] = true
			found[p.id] = uint32(uids[0])
			uids = uids[1:]
		}
		return uids
	}
	var rest []*probe
	sizes := map[int64]bool{}
	for _, p := range probes {
		if k := (idSize{p.messageID, p.size}); p.messageID != "" {
			byID[k] = take(p, byID[k])
		}
		if p.found == 0 {
			rest = append(rest, p)
			sizes[p.size] = true
		}
	}
	var candidates []imap.UID
	for size := range sizes {
		for _, uid := range bySize[size] {
			if !r.claimed[uid] {
				candidates = append(candidates, uid)
			}
		}
	}
	sums := map[[32]byte][]imap.UID{}
	for _, set := range uidSets(candidates) {
		fetch := c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
		done := c.w.await()
		for m := fetch.Next(); m != nil; m = fetch.Next() {
			buf, err := m.Collect()
			if err != nil {
				break
			}
			for _, b := range buf.BodySection {
				sum := sha256.Sum256(crlf(b.Bytes))
				sums[sum] = append(sums[sum], buf.UID)
			}
		}
		err := fetch.Close()
		done()
		if err != nil {
			return nil, c.explain(err)
		}
	}
	for _, p := range rest {
		sums[p.sum] = take(p, sums[p.sum])
	}
	return found, nil
}
