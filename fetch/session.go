package fetch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"popvault/archive"
	"popvault/fetch/pop3"
)

type sessionResult struct {
	stored, deleted int
	bytes           int64
	gmail           bool
}

// message is one server message in this session's plan.
type message struct {
	pop3.MessageInfo
	storeUID string // the UID to record; empty when the server repeats it
}

// session runs one POP3 session: list, download what is new, store it,
// delete what the account's policy says and the archive durably holds,
// and QUIT.
func (f *Fetcher) session(ctx context.Context, acct Account, secret string) (sessionResult, error) {
	var res sessionResult
	f.report(Progress{Account: acct.Name, Stage: StageConnecting})
	c, err := f.connect(ctx, acct, secret)
	if err != nil {
		return res, err
	}
	defer c.Close()
	greeting, _ := c.Greet(ctx)
	res.gmail = acct.IsGmail() || strings.HasPrefix(greeting, "Gpop")

	f.report(Progress{Account: acct.Name, Stage: StageListing})
	listing, err := f.loginAndList(ctx, c, acct, secret)
	if err != nil {
		return res, err
	}
	keep := acct.KeepOnServer || acct.IsRecentMode()
	if !listing.HasUIDL && keep {
		return res, ErrNoUIDL
	}
	msgs, err := plan(ctx, c, listing)
	if err != nil {
		return res, err
	}
	known, err := f.Archive.UIDs(acct.Name)
	if err != nil {
		return res, err
	}
	var want []message
	for _, m := range msgs {
		if _, ok := known[m.UID]; !ok || m.storeUID == "" {
			want = append(want, m)
		}
	}
	if len(want) > 0 && listing.HasUIDL {
		if err := addSizes(ctx, c, want); err != nil {
			return res, err
		}
	}
	stored, err := f.download(ctx, c, acct, want, &res)
	if err != nil {
		return res, err
	}
	doomed := f.deletable(acct, msgs, known, stored)
	if len(doomed) > 0 {
		f.report(Progress{Account: acct.Name, Stage: StageDeleting, MessagesTotal: len(doomed)})
		if err := c.DeleMany(ctx, doomed); err != nil {
			return res, err
		}
	}
	if err := c.Quit(ctx); err != nil {
		return res, err
	}
	res.deleted = len(doomed)
	return res, nil
}

// plan lists the server's messages from UIDL, or from LIST when the
// server has no UIDL. A UID the server repeats is not recorded, so that
// each such message is stored by its bytes and none is mistaken for
// another.
func plan(ctx context.Context, c *pop3.Client, l *pop3.Listing) ([]message, error) {
	if !l.HasUIDL {
		sizes, err := c.List(ctx)
		msgs := make([]message, len(sizes))
		for i, s := range sizes {
			msgs[i] = message{MessageInfo: s}
		}
		return msgs, err
	}
	count := map[string]int{}
	for _, u := range l.UIDs {
		count[u.UID]++
	}
	msgs := make([]message, len(l.UIDs))
	for i, u := range l.UIDs {
		msgs[i] = message{MessageInfo: u}
		if count[u.UID] == 1 {
			msgs[i].storeUID = u.UID
		}
	}
	return msgs, nil
}

// addSizes reads LIST for the sizes of the messages to download, for
// progress and buffers; a check that finds nothing new never asks.
func addSizes(ctx context.Context, c *pop3.Client, want []message) error {
	sizes, err := c.List(ctx)
	if err != nil {
		return err
	}
	size := make(map[int]int64, len(sizes))
	for _, s := range sizes {
		size[s.ID] = s.Size
	}
	for i := range want {
		want[i].Size = size[want[i].ID]
	}
	return nil
}

// deletable lists the message numbers to delete: only messages whose bytes
// the archive durably holds, stored now or in an earlier run under a UID
// the server does not repeat.
func (f *Fetcher) deletable(acct Account, msgs []message, known map[string]archive.UIDState, stored map[int]bool) []int {
	if acct.IsRecentMode() {
		return nil
	}
	cutoff := time.Time{}
	if acct.KeepOnServer {
		if acct.DeleteAfterDays == 0 {
			return nil
		}
		cutoff = f.now().Add(-time.Duration(acct.DeleteAfterDays) * 24 * time.Hour)
	}
	var ids []int
	for _, m := range msgs {
		st, wasKnown := known[m.storeUID]
		safe := stored[m.ID] || (m.storeUID != "" && wasKnown)
		if !safe {
			continue
		}
		if acct.KeepOnServer && (!wasKnown || !st.FirstSeen.Before(cutoff)) {
			continue
		}
		ids = append(ids, m.ID)
	}
	return ids
}

// download retrieves want, pipelined, while a second goroutine commits
// full batches, so the network rarely waits for fsync. It returns the
// message numbers whose commit has returned.
func (f *Fetcher) download(ctx context.Context, c *pop3.Client, acct Account, want []message, res *sessionResult) (map[int]bool, error) {
	stored := map[int]bool{}
	if len(want) == 0 {
		return stored, nil
	}
	p := Progress{Account: acct.Name, Stage: StageDownloading, MessagesTotal: len(want)}
	byID := map[int]message{}
	ids := make([]int, len(want))
	for i, m := range want {
		ids[i], byID[m.ID] = m.ID, m
		p.BytesTotal += m.Size
	}
	f.report(p)
	committed := 0
	st := newStorer(f, acct.Name, func(popIDs []int, results []archive.Stored) {
		for i, id := range popIDs {
			stored[id] = true
			if !results[i].Known {
				res.stored++
			}
		}
		committed += len(popIDs)
		f.report(Progress{Account: acct.Name, Stage: StageDownloading, Stored: committed})
	})
	maxSize := f.MaxMessageSize
	if maxSize <= 0 {
		maxSize = 512 << 20
	}
	var tooBig []string
	err := c.RetrMany(ctx, ids, func(id int, r io.Reader) error {
		if err := st.failed(); err != nil {
			return err
		}
		m := byID[id]
		var buf bytes.Buffer
		buf.Grow(int(min(max(m.Size, 0), 64<<20)))
		n, err := io.Copy(&buf, io.LimitReader(r, maxSize+1))
		if err != nil {
			return err
		}
		res.bytes += n
		p.Messages++
		p.Bytes += n
		p.Subject = archive.Headline(buf.Bytes())
		if n > maxSize {
			tooBig = append(tooBig, fmt.Sprint(id))
		} else {
			st.add(id, archive.Incoming{Account: acct.Name, UID: m.storeUID, Raw: buf.Bytes(), Arrived: f.now()})
		}
		f.report(p)
		return nil
	})
	if serr := st.close(); err == nil {
		err = serr
	}
	if err == nil && len(tooBig) > 0 {
		err = fmt.Errorf("messages %s are over %d MiB and were left on the server", strings.Join(tooBig, ", "), maxSize>>20)
	}
	return stored, err
}

// storer commits batches on its own goroutine.
type storer struct {
	f        *Fetcher
	account  string
	done     func(popIDs []int, results []archive.Stored)
	batch    []archive.Incoming
	popIDs   []int
	size     int
	queue    chan storeBatch
	finished chan struct{}
	mu       sync.Mutex
	err      error
}

type storeBatch struct {
	popIDs []int
	in     []archive.Incoming
}

func newStorer(f *Fetcher, account string, done func([]int, []archive.Stored)) *storer {
	s := &storer{f: f, account: account, done: done, queue: make(chan storeBatch, 1), finished: make(chan struct{})}
	go s.run()
	return s
}

func (s *storer) run() {
	defer close(s.finished)
	for b := range s.queue {
		if s.failed() != nil {
			continue
		}
		results, err := s.f.Archive.Store(b.in)
		s.mu.Lock()
		if err != nil {
			s.err = err
		} else {
			s.done(b.popIDs, results)
		}
		s.mu.Unlock()
	}
}

func (s *storer) failed() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *storer) add(popID int, in archive.Incoming) {
	s.batch = append(s.batch, in)
	s.popIDs = append(s.popIDs, popID)
	s.size += len(in.Raw)
	maxBytes, maxCount := s.f.BatchBytes, s.f.BatchCount
	if maxBytes <= 0 {
		maxBytes = 16 << 20
	}
	if maxCount <= 0 {
		maxCount = 1000
	}
	if s.size >= maxBytes || len(s.batch) >= maxCount {
		s.flush()
	}
}

func (s *storer) flush() {
	if len(s.batch) > 0 {
		s.queue <- storeBatch{popIDs: s.popIDs, in: s.batch}
		s.batch, s.popIDs, s.size = nil, nil, 0
	}
}

// close commits what is left and waits; the done callbacks have all run
// when it returns.
func (s *storer) close() error {
	s.flush()
	close(s.queue)
	<-s.finished
	return s.failed()
}
