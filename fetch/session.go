package fetch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"popvault/archive"
	"popvault/fetch/pop3"
)

type sessionResult struct {
	stored    int // new to the account
	committed int // committed to the archive, new or not
	deleted   int
	bytes     int64
	gmail     bool
	// delivery is what this session's delivery did; nil when the account
	// does not deliver, or the session failed before.
	delivery *DeliveryReport
}

// message is one server message in this session's plan.
type message struct {
	pop3.MessageInfo
	storeUID string // the UID to record; empty when the server repeats it
}

// session runs one POP3 session: list, download what is new, store it,
// delete what the account's policy says and the archive durably holds,
// QUIT, and after a QUIT the server accepted, forget the UIDs it no
// longer lists.
func (f *Fetcher) session(ctx context.Context, acct Account, in SignIn, secret string) (sessionResult, error) {
	var res sessionResult
	f.report(Progress{Account: acct.Name, Stage: StageConnecting})
	learnt, hold := f.known(acct)
	c, err := f.connect(ctx, acct, learnt)
	if err != nil {
		return res, err
	}
	defer func() { c.Close() }() // the session login ends with, which may be another
	if learnt == nil {
		// The dial read the greeting; with what was learnt it comes
		// with the login's replies.
		if _, err := c.Greet(ctx); err != nil {
			return res, err
		}
	}

	f.report(Progress{Account: acct.Name, Stage: StageListing})
	c, listing, err := f.loginAndList(ctx, c, acct, in, secret)
	if learnt != nil && surprised(err) && ctx.Err() == nil {
		// The server is not what it was when the last session learnt
		// it: forget that, and go the long way at once.
		f.forget(acct)
		c.Close()
		learnt, hold = nil, true
		if c, err = f.connect(ctx, acct, nil); err != nil {
			return res, err
		}
		c, listing, err = f.loginAndList(ctx, c, acct, in, secret)
	}
	if err != nil {
		return res, err
	}
	if !hold {
		f.learn(acct, c, learnt)
	}
	greeting, err := c.Greet(ctx) // read by now
	if err != nil {
		return res, err
	}
	res.gmail = acct.IsGmail() || strings.HasPrefix(greeting, "Gpop")
	keep := acct.KeepOnServer || acct.IsRecentMode()
	if !listing.HasUIDL && keep {
		return res, ErrNoUIDL
	}
	msgs, err := plan(ctx, c, listing)
	if err != nil {
		return res, err
	}
	known, err := f.Archive.Account(acct.Name).UIDs()
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
	want, tooBig := f.withinLimit(want)
	var early *delivering
	if len(want) > 0 {
		early = f.startDelivering(ctx, acct)
	}
	stored, err := f.download(ctx, c, acct, want, &res, early.committed)
	if err != nil {
		if early != nil {
			early.stop() // Fetch delivers what waits after a failed session
		}
		return res, err
	}
	switch {
	case early != nil:
		d := early.finish(slices.Collect(maps.Values(stored)))
		res.delivery = &d
	case f.delivers(acct):
		d := f.deliver(ctx, acct, slices.Collect(maps.Values(stored)))
		res.delivery = &d
	}
	doomed, release, err := f.deletable(acct, msgs, known, stored, res.delivery)
	defer release()
	if err != nil {
		return res, err
	}
	if len(doomed) > 0 {
		f.report(Progress{Account: acct.Name, Stage: StageDeleting, MessagesTotal: len(doomed)})
		if err := c.DeleMany(ctx, doomed); err != nil {
			return res, err
		}
	}
	drop := forgettable(res.gmail, listing, msgs, doomed, known)
	end := c.Quit
	if len(want) == 0 && len(doomed) == 0 && len(drop) == 0 {
		// Nothing waits on QUIT's reply: the check that finds nothing new,
		// which is most of them, ends a round trip sooner.
		end = c.QuitWithoutWaiting
	}
	if err := end(ctx); err != nil {
		return res, err
	}
	res.deleted = len(doomed)
	if len(drop) > 0 {
		if err := f.Archive.Account(acct.Name).ForgetUIDs(drop); err != nil {
			return res, err
		}
	}
	if len(tooBig) > 0 {
		return res, fmt.Errorf("messages %s are over %d MiB and were left on the server", strings.Join(tooBig, ", "), f.maxSize()>>20)
	}
	return res, nil
}

// forgettable is what to forget after a QUIT the server accepted: the
// UIDs the server no longer has, those it did not list and those this
// session deleted. RFC 1939 lets a server give a UID to a new message
// once the old one is gone; remembered, that message would look fetched
// (never downloaded in keep mode, deleted unread in delete mode). mpop
// does the same. Gmail is left out: its listing holds only what no
// session has downloaded (or the last 30 days, for recent:), not the
// maildrop, and its UIDs are not reused. A UID reused between two
// sessions that both saw it cannot be told from the old one.
func forgettable(gmail bool, listing *pop3.Listing, msgs []message, doomed []int, known map[string]archive.UIDState) []string {
	if gmail || !listing.HasUIDL {
		return nil
	}
	gone := make(map[int]bool, len(doomed))
	for _, id := range doomed {
		gone[id] = true
	}
	listed := make(map[string]bool, len(msgs))
	for _, m := range msgs {
		if !gone[m.ID] {
			listed[m.UID] = true
		}
	}
	drop := map[string]bool{}
	for _, m := range msgs {
		if gone[m.ID] && m.storeUID != "" {
			drop[m.storeUID] = true // deleted by this session, perhaps stored by it too
		}
	}
	for uid := range known {
		if !listed[uid] {
			drop[uid] = true
		}
	}
	return slices.Collect(maps.Keys(drop))
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
// progress and the size limit; a check that finds nothing new never asks.
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

func (f *Fetcher) maxSize() int64 {
	if f.MaxMessageSize > 0 {
		return f.MaxMessageSize
	}
	return archive.MaxMessageSize
}

// withinLimit leaves out the messages whose listed size is over the
// limit, and names them.
func (f *Fetcher) withinLimit(want []message) (ok []message, tooBig []string) {
	for _, m := range want {
		if m.Size > f.maxSize() {
			tooBig = append(tooBig, fmt.Sprint(m.ID))
			continue
		}
		ok = append(ok, m)
	}
	return ok, tooBig
}

// deletable lists the message numbers to delete, and holds their archive
// copies until release, so that nothing deletes those from the archive
// before QUIT has deleted the server's: a message is deleted from a
// server only while the archive has it, stored now or in an earlier run
// under a UID the server does not repeat, and, for an account that
// delivers, only once the delivery no longer waits for it.
func (f *Fetcher) deletable(acct Account, msgs []message, known map[string]archive.UIDState, stored map[int]uint64, delivery *DeliveryReport) ([]int, func(), error) {
	none := func() {}
	if acct.IsRecentMode() {
		return nil, none, nil
	}
	cutoff := time.Time{}
	if acct.KeepOnServer {
		if acct.DeleteAfterDays == 0 {
			return nil, none, nil
		}
		cutoff = f.now().Add(-time.Duration(acct.DeleteAfterDays) * 24 * time.Hour)
	}
	type candidate struct {
		pop int
		id  uint64
	}
	var cands []candidate
	for _, m := range msgs {
		st, wasKnown := known[m.storeUID]
		id, storedNow := stored[m.ID]
		switch {
		case storedNow && !acct.KeepOnServer:
		case m.storeUID != "" && wasKnown && (!acct.KeepOnServer || st.FirstSeen.Before(cutoff)):
			id = st.ID
		default:
			continue
		}
		if delivery != nil && delivery.keeps(id) {
			continue // not in the delivery target yet
		}
		cands = append(cands, candidate{m.ID, id})
	}
	if len(cands) == 0 {
		return nil, none, nil
	}
	ids := make([]uint64, len(cands))
	for i, c := range cands {
		ids[i] = c.id
	}
	held, release, err := f.Archive.Hold(ids)
	if err != nil {
		return nil, release, err
	}
	var doomed []int
	for _, c := range cands {
		if held[c.id] {
			doomed = append(doomed, c.pop)
		}
	}
	return doomed, release, nil
}

// download retrieves want, pipelined, while a second goroutine commits
// full batches, so the network rarely waits for fsync. It returns the
// message numbers whose commit has returned, with their archive ids.
// Each commit's archive ids go to committed as well.
func (f *Fetcher) download(ctx context.Context, c *pop3.Client, acct Account, want []message, res *sessionResult, committed func([]uint64)) (map[int]uint64, error) {
	stored := map[int]uint64{}
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
	st := newStorer(f, func(popIDs []int, results []archive.Stored) {
		for i, id := range popIDs {
			stored[id] = results[i].ID
			if !results[i].Known {
				res.stored++
			}
		}
		res.committed += len(popIDs)
		ids := make([]uint64, len(results))
		for i, r := range results {
			ids[i] = r.ID
		}
		committed(ids)
		if f.Committed != nil {
			f.Committed(acct.Name, res.committed)
		}
	})
	maxSize := f.maxSize()
	err := c.RetrMany(ctx, ids, func(id int, r io.Reader) error {
		if err := st.failed(); err != nil {
			// The session will be abandoned: stop reading now.
			return fmt.Errorf("%w: %w", pop3.ErrAbort, err)
		}
		m := byID[id]
		// Reserve what the server announced, up to a little: a size is the
		// server's word, and one that lies must not make us hold memory
		// that never fills.
		var buf bytes.Buffer
		buf.Grow(int(min(max(m.Size, 0), reserveMax)))
		n, err := io.Copy(&buf, io.LimitReader(r, maxSize+1))
		if err != nil {
			return err
		}
		if n > maxSize {
			// Announced as smaller: drop the session rather than read the
			// rest. What was stored so far stays; nothing is deleted.
			return fmt.Errorf("%w: message %d is over %d MiB, though the server listed it as %d bytes", pop3.ErrAbort, id, maxSize>>20, m.Size)
		}
		raw := buf.Bytes()
		if cap(raw)-len(raw) > slack {
			raw = bytes.Clone(raw) // hold what arrived, not what was reserved
		}
		res.bytes += n
		p.Messages++
		p.Bytes += n
		p.Subject = archive.Headline(raw)
		st.add(id, archive.Incoming{Account: acct.Name, UID: m.storeUID, Raw: raw, Arrived: f.now()})
		f.report(p)
		return nil
	})
	if serr := st.close(); serr != nil {
		err = serr // the archive's failure (a full disk) is what went wrong
	}
	return stored, err
}

const (
	reserveMax = 1 << 20  // the most reserved for a message before it arrives
	slack      = 64 << 10 // unused capacity worth a copy to give back
)

// storer prepares each message as it arrives (hashing, compressing and
// parsing, on all cores while the session reads on) and commits batches
// on its own goroutine, so that the commit after the last message waits
// for that message's preparing, not a whole batch's.
type storer struct {
	f         *Fetcher
	done      func(popIDs []int, results []archive.Stored)
	batch     []*archive.Incoming // each written by its preparing goroutine
	prepared  *sync.WaitGroup     // the batch's preparing
	preparing chan struct{}       // a slot for each message being prepared
	popIDs    []int
	size      int
	queue     chan storeBatch
	finished  chan struct{}
	mu        sync.Mutex
	err       error
}

type storeBatch struct {
	popIDs   []int
	in       []*archive.Incoming
	prepared *sync.WaitGroup
}

func newStorer(f *Fetcher, done func([]int, []archive.Stored)) *storer {
	s := &storer{f: f, done: done, queue: make(chan storeBatch, 1), finished: make(chan struct{}),
		preparing: make(chan struct{}, runtime.GOMAXPROCS(0)), prepared: new(sync.WaitGroup)}
	go s.run()
	return s
}

func (s *storer) run() {
	defer close(s.finished)
	for b := range s.queue {
		b.prepared.Wait()
		if s.failed() != nil {
			continue
		}
		in := make([]archive.Incoming, len(b.in))
		for i, m := range b.in {
			in[i] = *m
		}
		results, err := s.f.commits.store(s.f.Archive.Store, in)
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

// add queues a message; a batch is the memory it holds (its capacity),
// not the bytes the server counted.
func (s *storer) add(popID int, in archive.Incoming) {
	s.size += cap(in.Raw)
	m, wg := &in, s.prepared // in is the goroutine's from here
	s.preparing <- struct{}{}
	wg.Add(1)
	go func() {
		defer func() { <-s.preparing; wg.Done() }()
		*m = archive.Prepare(*m)
	}()
	s.batch = append(s.batch, m)
	s.popIDs = append(s.popIDs, popID)
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
		s.queue <- storeBatch{popIDs: s.popIDs, in: s.batch, prepared: s.prepared}
		s.batch, s.popIDs, s.size, s.prepared = nil, nil, 0, new(sync.WaitGroup)
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
