package restore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"popvault/archive"
)

// settling is how resolve waits for a server that may still be storing
// the uploads of a connection that died: it looks at the mailbox every
// every, and believes what it found once the mailbox has not changed for
// quiet, or after most in all. Courier went on storing a killed run's
// APPENDs for up to 4 s, each as it read it, and UIDNEXT moves with each
// one stored: a mailbox whose message count and UIDNEXT stand still for
// 2 s while it is asked every 250 ms has stored what it had. The bound
// keeps a mailbox that changes for reasons of its own (an INBOX receiving
// mail) from holding the restore; by then a dead connection's uploads are
// long stored.
var settling = struct{ every, quiet, most time.Duration }{250 * time.Millisecond, 2 * time.Second, 30 * time.Second}

// pause waits d, or until ctx is done. Tests replace it to drive a test
// server's clock.
var pause = func(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// probe is a pending message being looked for on the server.
type probe struct {
	id        uint64
	sum       [32]byte
	size      int64
	messageID string
	found     imap.UID
}

// newProbe reads what a message is recognised by; false when the message
// is no longer in the archive.
func (r *run) newProbe(id uint64) (*probe, bool, error) {
	raw, err := r.a.Raw(id)
	if errors.Is(err, archive.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	s, err := r.a.Summary(id)
	if err != nil {
		return nil, false, err
	}
	norm := crlf(raw)
	return &probe{id: id, sum: sha256.Sum256(norm), size: int64(len(norm)), messageID: s.MessageID}, true, nil
}

// state is what tells that a mailbox changed: a message stored moves
// UIDNEXT, one expunged lowers the count.
type state struct {
	exists  uint32
	uidNext imap.UID
}

// examine selects the mailbox read-only and says its state.
func (r *run) examine(c *conn) (state, error) {
	sel, err := waitFor(c, c.Select(r.name, &imap.SelectOptions{ReadOnly: true}))
	if err != nil {
		return state{}, err
	}
	return state{sel.NumMessages, sel.UIDNext}, nil
}

// resolve asks the server about the messages an earlier run marked
// pending and never confirmed: those it holds become done, the rest are
// forgotten and sent again. A message is found by Message-ID or by size,
// then recognised by its bytes (line endings aside, which servers may
// store their own way), or, for servers that rewrite what they store, by
// the same Message-ID and size. What is not found is looked for again
// each time the mailbox changes, until it has stood still (see
// settling): only then is the answer taken as the server's last word.
// It leaves the mailbox selected read-only.
func (r *run) resolve(ctx context.Context, c *conn, rec *record) error {
	var probes []*probe
	var gone []uint64
	for _, id := range rec.Pending {
		p, ok, err := r.newProbe(id)
		if err != nil {
			return err
		}
		if !ok {
			gone = append(gone, id) // deleted from the archive since
			continue
		}
		probes = append(probes, p)
	}
	last, err := r.examine(c)
	if err != nil {
		return err
	}
	left := slices.Clone(probes) // DeleteFunc clears what it drops
	var quiet, waited time.Duration
	for changed := true; len(left) > 0; {
		if changed {
			if err := r.find(c, left); err != nil {
				return err
			}
			left = slices.DeleteFunc(left, func(p *probe) bool { return p.found != 0 })
		}
		if len(left) == 0 || quiet >= settling.quiet || waited >= settling.most {
			break
		}
		if err := pause(ctx, settling.every); err != nil {
			return err
		}
		waited += settling.every
		now, err := r.examine(c)
		if err != nil {
			return err
		}
		changed = now != last
		last = now
		if changed {
			quiet = 0
		} else {
			quiet += settling.every
		}
	}
	found := map[uint64]uint32{}
	forget := gone
	for _, p := range probes {
		if p.found != 0 {
			found[p.id] = uint32(p.found)
			rec.Done[p.id] = uint32(p.found)
		} else {
			forget = append(forget, p.id)
		}
	}
	rec.Pending = nil
	if err := r.ledger.mark(stateDone, found); err != nil {
		return err
	}
	return r.ledger.forget(forget)
}

// find looks for probes on the server: one search each, pipelined, then
// one fetch of every candidate.
func (r *run) find(c *conn, probes []*probe) error {
	type search struct {
		p    *probe
		uids []imap.UID
	}
	// Searches are pipelined only where the answers say which search
	// they answer (ESEARCH): plain SEARCH answers do not.
	var searches []*search
	var searchOpts *imap.SearchOptions
	pipelined := c.Caps().Has(imap.CapESearch)
	if pipelined {
		searchOpts = &imap.SearchOptions{ReturnAll: true}
	}
	cmds := make([]*imapclient.SearchCommand, len(probes))
	results := make([]*imap.SearchData, len(probes))
	for i, p := range probes {
		bySize := imap.SearchCriteria{Larger: p.size - 1, Smaller: p.size + 1}
		criteria := bySize
		if p.messageID != "" {
			criteria = imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{
				{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: p.messageID}}},
				bySize,
			}}}
		}
		cmds[i] = c.UIDSearch(&criteria, searchOpts)
		if !pipelined {
			var err error
			if results[i], err = waitFor(c, cmds[i]); err != nil {
				return err
			}
		}
	}
	var all imap.UIDSet
	for i, cmd := range cmds {
		data := results[i]
		if pipelined {
			var err error
			if data, err = waitFor(c, cmd); err != nil {
				return err
			}
		}
		s := &search{p: probes[i]}
		for _, uid := range data.AllUIDs() {
			if !r.claimed[uid] {
				s.uids = append(s.uids, uid)
				all.AddNum(uid)
			}
		}
		searches = append(searches, s)
	}
	if len(all) == 0 {
		return nil
	}
	type seen struct {
		sum       [32]byte
		size      int64
		messageID string
	}
	onServer := map[imap.UID]seen{}
	fetch := c.Fetch(all, &imap.FetchOptions{
		UID: true, RFC822Size: true, Envelope: true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	})
	done := c.w.await()
	msgs, err := fetch.Collect()
	done()
	if err != nil {
		return c.explain(err)
	}
	for _, m := range msgs {
		var s seen
		s.size = m.RFC822Size
		if m.Envelope != nil {
			s.messageID = strings.Trim(m.Envelope.MessageID, "<> ")
		}
		for _, b := range m.BodySection {
			s.sum = sha256.Sum256(crlf(b.Bytes))
		}
		onServer[m.UID] = s
	}
	for _, s := range searches {
		for _, uid := range s.uids {
			got, ok := onServer[uid]
			if !ok || r.claimed[uid] {
				continue
			}
			same := got.sum == s.p.sum
			rewritten := s.p.messageID != "" && got.messageID == s.p.messageID && got.size == s.p.size
			if same || rewritten {
				s.p.found = uid
				r.claimed[uid] = true
				break
			}
		}
	}
	return nil
}

// crlf makes every line end in CRLF, as IMAP servers give messages back.
func crlf(b []byte) []byte {
	if bytes.Count(b, []byte("\n")) == bytes.Count(b, []byte("\r\n")) {
		return b
	}
	out := make([]byte, 0, len(b)+len(b)/50)
	for i, ch := range b {
		if ch == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, ch)
	}
	return out
}
