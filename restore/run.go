package restore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"

	"popvault/archive"
)

const (
	// markAhead is how many messages are marked pending in one commit
	// before they are sent: a kill leaves at most this many (and those in
	// flight) to be asked about.
	markAhead = 64
	// depth is how many APPEND commands one connection has in flight.
	depth = 4
	// batchMax and batchBytes bound a MULTIAPPEND: the server commits
	// each command once, which is most of its work per message, but a
	// refused command is sent again message by message.
	batchMax   = 32
	batchBytes = 4 << 20
	// maxInFlight bounds the bytes read from the archive and not yet
	// written to a connection (one message always goes, however large).
	maxInFlight = 16 << 20
	// doneEvery is how often confirmed messages are committed as done;
	// until then they are pending, which is safe, only slower to resume.
	doneEvery = 200 * time.Millisecond
)

type run struct {
	a      *archive.Archive
	opts   Options
	name   string // the mailbox, as the server spells it
	ledger ledger // the target's records
	sum    *Summary
	// claimed are the server's UIDs known to hold a message of ours.
	claimed map[imap.UID]bool
	// done are the messages the records hold as on the server once the
	// run has checked them: what Feed gives among them is not sent.
	done map[uint64]uint32
	// multi is set where the server takes MULTIAPPEND (and LITERAL+);
	// single for the pass that sends refused MULTIAPPENDs' messages one
	// by one.
	multi, single bool

	mu sync.Mutex
	// dialErr is why the last connection asked for could not be opened.
	dialErr error
}

func (r *run) run(ctx context.Context, ids []uint64) error {
	t := r.opts.Target
	first, err := r.dial(ctx)
	if err != nil {
		return fmt.Errorf("restore: %s: %w", t.Host, err)
	}
	conns := []*conn{first}
	defer func() {
		for _, c := range conns {
			c.logout()
		}
	}()
	n, err := namesOf(first)
	if err != nil {
		return fmt.Errorf("restore: asking %s how it names mailboxes: %w", t.Host, err)
	}
	r.name = n.spell(t.Mailbox)
	// The record is kept under the server's spelling, so that two
	// spellings of one mailbox share it.
	spelled := t
	spelled.Mailbox = r.name
	r.ledger = ledgerOf(r.a, spelled.Key())
	uidValidity, err := r.mailbox(first)
	if err != nil {
		return err
	}
	caps := first.Caps()
	r.multi = caps.Has(imap.CapMultiAppend) && caps.Has(imap.CapLiteralPlus)
	if r.opts.Connections <= 0 {
		r.opts.Connections = 8
		if r.multi {
			r.opts.Connections = 4
		}
	}
	rec, restarted, err := r.ledger.start(uidValidity)
	if err != nil {
		return err
	}
	r.sum.Restarted = restarted
	r.claimed = map[imap.UID]bool{}
	if len(rec.Done) > 0 || len(rec.Pending) > 0 {
		gone, err := r.recheck(ctx, first, &rec)
		if err != nil {
			return fmt.Errorf("restore: checking %s against what was restored there before: %w", t, err)
		}
		for _, id := range ids {
			if gone[id] {
				r.sum.Gone++
			}
		}
	}
	r.done = rec.Done
	var todo []uint64
	for _, id := range ids {
		if _, done := rec.Done[id]; done {
			r.sum.Already++
			r.sum.OnServer = append(r.sum.OnServer, id)
		} else {
			todo = append(todo, id)
		}
	}
	r.progress()
	want := min(r.opts.Connections, 1+len(todo)/16)
	switch {
	case r.opts.Feed != nil:
		want = r.opts.Connections // more is on its way
	case len(todo) == 0:
		return nil
	}
	conns = append(conns, r.more(ctx, want-1)...)
	return r.send(ctx, conns, todo)
}

// unopened counts a connection that could not be opened, and keeps why,
// for the summary; one that failed because the run was cancelled is not
// counted.
func (r *run) unopened(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dialErr = err
	r.sum.Unopened++
	r.sum.UnopenedWhy = err.Error()
}

// lastDialErr is why the last connection could not be opened, if one
// could not.
func (r *run) lastDialErr() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dialErr
}

// more opens up to n more connections, at once. A server that allows
// fewer (a limit on connections per user) leaves the restore with those
// it has.
func (r *run) more(ctx context.Context, n int) []*conn {
	if n <= 0 {
		return nil
	}
	ch := make(chan *conn, n)
	for i := 0; i < n; i++ {
		go func() {
			c, err := r.dial(ctx)
			if err != nil {
				r.unopened(ctx, err)
				c = nil
			}
			ch <- c
		}()
	}
	var out []*conn
	for i := 0; i < n; i++ {
		if c := <-ch; c != nil {
			out = append(out, c)
		}
	}
	return out
}

// job is one message on its way.
type job struct {
	id      uint64
	subject string
	raw     []byte
	options *imap.AppendOptions
}

type outcomeKind int

const (
	appended  outcomeKind = iota
	refused               // the server said NO (or BAD): not stored
	unsent                // taken, but never sent: the connection was gone
	uncertain             // sent, and the connection lost before the answer
	unread                // the archive could not give its bytes
	retry                 // in a refused MULTIAPPEND: send it alone
	fed                   // given by Feed, to be sent
	already               // given by Feed, and on the server already
)

type outcome struct {
	kind    outcomeKind
	id      uint64
	subject string
	uid     imap.UID
	err     error
}

// passEnd is why a pass of send stopped before it sent everything.
type passEnd struct {
	// why is the reason each message not sent is given; "" when nothing
	// stopped the pass.
	why string
	// aloneNext: a MULTIAPPEND was refused for the quota, so the messages
	// not sent go one by one in a pass of their own (what still fits,
	// only messages sent alone can find) rather than failing.
	aloneNext bool
}

// overQuotaAloneNext ends a pass whose MULTIAPPEND the server refused
// for the quota.
var overQuotaAloneNext = passEnd{why: "over quota: sending the rest one by one", aloneNext: true}

// stoppedFor ends a pass for a reason that fails what it did not send.
func stoppedFor(why string) passEnd { return passEnd{why: why} }

// send appends todo over conns and commits what the server confirms.
func (r *run) send(ctx context.Context, conns []*conn, todo []uint64) error {
	var (
		stopOnce sync.Once
		stopped  = make(chan struct{})
		end      passEnd
		budget   = newBudget(maxInFlight)
	)
	// Feed's waiting ends with the pass.
	feedCtx, feedDone := context.WithCancel(ctx)
	defer feedDone()
	stop := func(e passEnd) {
		stopOnce.Do(func() {
			end = e
			close(stopped)
			budget.stop()
			feedDone()
		})
	}
	defer stop(passEnd{})
	cancel := context.AfterFunc(ctx, func() { stop(stoppedFor("cancelled")) })
	defer cancel()

	jobs := make(chan []*job)
	outcomes := make(chan outcome, 64)
	var markErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.produce(feedCtx, todo, jobs, outcomes, stopped, budget, &markErr)
	}()
	var working atomic.Int32
	var noneLeft atomic.Bool
	working.Add(int32(len(conns)))
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work(ctx, c, jobs, outcomes, stopped, budget)
			if working.Add(-1) == 0 {
				noneLeft.Store(true)
				stop(stoppedFor(noConnection(r.lastDialErr())))
			}
		}()
	}
	go func() {
		wg.Wait()
		close(outcomes)
	}()

	var (
		done      = map[uint64]uint32{}
		forget    []uint64
		again     []uint64 // to send alone, in a pass of their own
		heard     = map[uint64]bool{}
		connErr   error
		commitErr error
		tick      = time.NewTicker(doneEvery)
	)
	defer tick.Stop()
	flush := func() {
		if len(done) == 0 || commitErr != nil {
			return
		}
		if err := r.ledger.mark(stateDone, done); err != nil {
			commitErr = err
			stop(stoppedFor("the archive could not record what was sent"))
			return
		}
		clear(done)
	}
	for open := true; open; {
		select {
		case <-tick.C:
			flush()
			continue
		case o, ok := <-outcomes:
			if !ok {
				open = false
				break
			}
			heard[o.id] = true
			switch o.kind {
			case fed:
				todo = append(todo, o.id)
				r.sum.Total++
				heard[o.id] = false
			case already:
				r.sum.Total++
				r.sum.Already++
				r.sum.OnServer = append(r.sum.OnServer, o.id)
			case appended:
				done[o.id] = uint32(o.uid)
				r.sum.Sent++
				r.sum.OnServer = append(r.sum.OnServer, o.id)
			case refused, unread:
				forget = append(forget, o.id)
				r.sum.Failed = append(r.sum.Failed, Failure{ID: o.id, Subject: o.subject, Reason: reason(o.err)})
				if overQuota(o.err) {
					stop(stoppedFor("not sent: the mailbox is over its quota"))
				}
			case retry:
				again = append(again, o.id)
				if overQuota(o.err) {
					// The rest would be refused too: what still fits,
					// only messages sent alone can find.
					stop(overQuotaAloneNext)
				}
			case unsent:
				heard[o.id] = false
			case uncertain:
				r.sum.Unconfirmed++
				if connErr == nil {
					connErr = o.err
				}
				stop(stoppedFor("not sent: the connection was lost"))
			}
			if len(done) >= markAhead {
				flush()
			}
			r.progress()
		}
	}
	flush()
	why := end.why
	if why == "" {
		why = "not sent"
	}
	unsent := 0
	for _, id := range todo {
		if !heard[id] {
			if end.aloneNext {
				again = append(again, id)
				continue
			}
			unsent++
			forget = append(forget, id)
			r.sum.Failed = append(r.sum.Failed, Failure{ID: id, Subject: r.subject(id), Reason: why})
		}
	}
	failed := markErr != nil || commitErr != nil || connErr != nil || ctx.Err() != nil
	if failed || r.single {
		if end.aloneNext {
			why = "not sent"
		}
		for _, id := range again {
			forget = append(forget, id)
			r.sum.Failed = append(r.sum.Failed, Failure{ID: id, Subject: r.subject(id), Reason: why})
		}
		again = nil
	}
	r.progress()
	// Only messages the server surely does not hold lose their marks;
	// the uncertain keep theirs, for the next run to ask about.
	forgetErr := r.ledger.forget(forget)
	t := r.opts.Target
	switch {
	case markErr != nil:
		return fmt.Errorf("restore: %w", markErr)
	case commitErr != nil:
		return fmt.Errorf("restore: recording sent messages: %w", commitErr)
	case connErr != nil:
		return fmt.Errorf("restore: the connection to %s was lost: %w", t.Host, connErr)
	case ctx.Err() != nil:
		return fmt.Errorf("restore: %w", ctx.Err())
	case forgetErr != nil:
		return forgetErr
	case noneLeft.Load() && unsent > 0 && r.lastDialErr() != nil:
		return fmt.Errorf("restore: no connection to %s was left for the rest, and a new one could not be opened: %w", t.Host, r.lastDialErr())
	case len(again) == 0:
		return forgetErr
	}
	return r.sendAlone(ctx, again)
}

// noConnection is the reason given for messages not sent because no
// connection was left, with why the last attempt to open one failed.
func noConnection(dialErr error) string {
	why := "not sent: no connection to the server was left"
	if dialErr != nil {
		why += " (a new one failed: " + dialErr.Error() + ")"
	}
	return why
}

// sendAlone sends the messages of refused MULTIAPPENDs one APPEND each,
// over connections of its own, so that every message that fits is stored
// and each refused one is named.
func (r *run) sendAlone(ctx context.Context, ids []uint64) error {
	r.single = true
	conns := r.more(ctx, min(r.opts.Connections, 1+len(ids)/16))
	defer func() {
		for _, c := range conns {
			c.logout()
		}
	}()
	if len(conns) == 0 {
		why := noConnection(r.lastDialErr())
		for _, id := range ids {
			r.sum.Failed = append(r.sum.Failed, Failure{ID: id, Subject: r.subject(id), Reason: why})
		}
		r.progress()
		if err := r.ledger.forget(ids); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		return fmt.Errorf("restore: no connection to %s could be opened to send the rest: %w", r.opts.Target.Host, r.lastDialErr())
	}
	return r.send(ctx, conns, ids)
}

// produce marks messages pending, markAhead at a time, and hands them
// out with their bytes, within the budget, as batches for MULTIAPPEND
// where the server has it and one by one where not; then, with a Feed,
// what it gives, until it gives none or the pass stops.
func (r *run) produce(ctx context.Context, todo []uint64, jobs chan<- []*job, outcomes chan<- outcome, stopped <-chan struct{}, b *budget, markErr *error) {
	defer close(jobs)
	most, bytes := 1, 0
	if r.multi && !r.single {
		most, bytes = batchMax, batchBytes
	}
	var batch []*job
	size := 0
	emit := func() bool {
		if len(batch) == 0 {
			return true
		}
		select {
		case jobs <- batch:
			batch, size = nil, 0
			return true
		case <-stopped:
			for _, j := range batch {
				b.release(len(j.raw))
			}
			batch, size = nil, 0
			return false
		}
	}
	tell := func(o outcome) bool {
		select {
		case outcomes <- o:
			return true
		case <-stopped:
			return false
		}
	}
	// hand marks todo pending and hands it out; false when the pass
	// stopped.
	hand := func(todo []uint64) bool {
		for start := 0; start < len(todo); start += markAhead {
			group := todo[start:min(len(todo), start+markAhead)]
			marks := make(map[uint64]uint32, len(group))
			for _, id := range group {
				marks[id] = 0
			}
			select {
			case <-stopped:
				return false
			default:
			}
			if err := r.ledger.mark(statePending, marks); err != nil {
				*markErr = err
				return false
			}
			for _, id := range group {
				j, err := r.load(id)
				if err != nil {
					if !tell(outcome{kind: unread, id: id, subject: r.subject(id), err: err}) {
						return false
					}
					continue
				}
				// A batch never waits for budget it holds itself.
				if size+len(j.raw) > bytes && !emit() {
					return false
				}
				if !b.acquire(len(j.raw)) {
					return false
				}
				batch = append(batch, j)
				size += len(j.raw)
				if (len(batch) >= most || size >= bytes) && !emit() {
					return false
				}
			}
		}
		return true
	}
	if !hand(todo) || r.opts.Feed == nil || r.single {
		emit()
		return
	}
	given := make(map[uint64]bool, len(todo))
	for _, id := range todo {
		given[id] = true
	}
	for {
		// What waits goes before the feed is asked, which may wait.
		if !emit() {
			return
		}
		more := r.opts.Feed(ctx)
		if len(more) == 0 {
			return
		}
		var next []uint64
		for _, id := range dedupe(more) {
			if given[id] {
				continue
			}
			given[id] = true
			kind := fed
			if _, done := r.done[id]; done {
				kind = already
			}
			if !tell(outcome{kind: kind, id: id}) {
				return
			}
			if kind == fed {
				next = append(next, id)
			}
		}
		if !hand(next) {
			emit()
			return
		}
	}
}

// load reads a message and what its APPEND says besides the bytes.
func (r *run) load(id uint64) (*job, error) {
	s, err := r.a.Summary(id)
	if err != nil {
		return nil, err
	}
	raw, err := r.a.Raw(id)
	if err != nil {
		return nil, err
	}
	opts := &imap.AppendOptions{Time: internalDate(s)}
	switch {
	case r.opts.Look == AsNewMail:
		opts.Time = s.Arrived
	case s.Read:
		opts.Flags = []imap.Flag{imap.FlagSeen}
	}
	return &job{id: id, subject: s.Subject, raw: raw, options: opts}, nil
}

func (r *run) subject(id uint64) string {
	if s, err := r.a.Summary(id); err == nil {
		return s.Subject
	}
	return ""
}

// saneSince is the earliest Date header taken for INTERNALDATE: earlier
// ones are a sender's clock at zero.
var saneSince = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// internalDate is when popvault first stored the message, or its Date
// header where that is earlier and sane.
func internalDate(s *archive.Summary) time.Time {
	if s.Date.Before(s.Arrived) && s.Date.After(saneSince) {
		return s.Date
	}
	return s.Arrived
}

// work sends jobs over one connection, and over a new one after a
// refusal that cost the connection.
func (r *run) work(ctx context.Context, c *conn, jobs <-chan []*job, outcomes chan<- outcome, stopped <-chan struct{}, b *budget) {
	first := c
	for c != nil {
		again := r.session(c, jobs, outcomes, stopped, b)
		if c != first {
			c.logout()
		}
		c = nil
		if again {
			var err error
			if c, err = r.dial(ctx); err != nil {
				r.unopened(ctx, err)
				c = nil
			}
		}
	}
}

// session sends jobs over c, depth commands at a time, and reports each
// message's outcome, until the jobs run out or the run stops. It returns
// true when the server refused a message before taking its bytes (over
// quota, too large): imapclient then closes the connection, and another
// may go on.
func (r *run) session(c *conn, jobs <-chan []*job, outcomes chan<- outcome, stopped <-chan struct{}, b *budget) (again bool) {
	type sent struct {
		batch []*job
		wait  func() ([]imap.UID, error)
		done  func()
	}
	inflight := make(chan sent, depth-1)
	var broken sync.Once
	dead := make(chan struct{})
	waited := make(chan struct{})
	go func() {
		defer close(waited)
		for s := range inflight {
			uids, err := s.wait()
			s.done()
			var ierr *imap.Error
			for i, j := range s.batch {
				o := outcome{kind: appended, id: j.id, subject: j.subject}
				switch {
				case err == nil:
					if len(uids) == len(s.batch) {
						o.uid = uids[i]
					}
				case errors.As(err, &ierr) && len(s.batch) > 1:
					// The server stores all of a MULTIAPPEND or none;
					// which message it would not take, only sending them
					// one by one can tell.
					o.kind, o.err = retry, err
				case errors.As(err, &ierr):
					o.kind, o.err = refused, err
				default:
					o.kind, o.err = uncertain, c.explain(err)
					broken.Do(func() { close(dead) })
				}
				outcomes <- o
			}
		}
	}()
	defer func() {
		close(inflight)
		<-waited
	}()
	// send writes one command: an APPEND, or a MULTIAPPEND for a batch.
	mailbox := r.name
	send := func(batch []*job) (wait func() ([]imap.UID, error), err error) {
		if len(batch) == 1 {
			j := batch[0]
			cmd := c.Append(mailbox, int64(len(j.raw)), j.options)
			_, err = cmd.Write(j.raw)
			return func() ([]imap.UID, error) {
				data, err := cmd.Wait()
				if err != nil {
					return nil, err
				}
				return []imap.UID{data.UID}, nil
			}, errors.Join(err, cmd.Close())
		}
		cmd := c.MultiAppend(mailbox)
		for _, j := range batch {
			w := cmd.Message(int64(len(j.raw)), j.options)
			_, werr := w.Write(j.raw)
			if err = errors.Join(werr, w.Close()); err != nil {
				break
			}
		}
		return func() ([]imap.UID, error) {
			data, err := cmd.Wait()
			if err != nil {
				return nil, err
			}
			return uidList(data.UIDs), nil
		}, errors.Join(err, cmd.Close())
	}
	// A batch goes as one MULTIAPPEND only with LITERAL+: a refusal then
	// always comes after the bytes, for the whole command.
	caps := c.Caps()
	multi := caps.Has(imap.CapMultiAppend) && caps.Has(imap.CapLiteralPlus)
	var queue []*job
	defer func() {
		for _, j := range queue {
			b.release(len(j.raw))
			outcomes <- outcome{kind: unsent, id: j.id}
		}
	}()
	for {
		if len(queue) == 0 {
			select {
			case <-stopped:
				return false
			case <-dead:
				return false
			case queue = <-jobs:
				if queue == nil {
					return false
				}
			}
		}
		select {
		case <-stopped:
			return false
		case <-dead:
			return false
		default:
		}
		batch := queue
		if !multi {
			batch = queue[:1]
		}
		queue = queue[len(batch):]
		done := c.w.await()
		wait, werr := send(batch)
		for _, j := range batch {
			b.release(len(j.raw))
			j.raw = nil
		}
		var ierr *imap.Error
		if len(batch) == 1 && errors.As(werr, &ierr) {
			// The server answered the APPEND instead of asking for its
			// bytes: refused, and none of it sent.
			done()
			outcomes <- outcome{kind: refused, id: batch[0].id, subject: batch[0].subject, err: werr}
			return true
		}
		if werr != nil {
			done()
			// Some of it may have reached the server: only the server
			// can say, on the next run.
			for _, j := range batch {
				outcomes <- outcome{kind: uncertain, id: j.id, subject: j.subject, err: c.explain(werr)}
			}
			broken.Do(func() { close(dead) })
			return false
		}
		inflight <- sent{batch, wait, done}
	}
}

// uidList lists a set's UIDs in order.
func uidList(set imap.UIDSet) []imap.UID {
	var uids []imap.UID
	for _, r := range set {
		for uid := r.Start; uid <= r.Stop && uid != 0 && len(uids) <= batchMax; uid++ {
			uids = append(uids, uid)
		}
	}
	return uids
}

func (r *run) progress() {
	if r.opts.Progress != nil {
		r.opts.Progress(Progress{Done: r.sum.Sent + r.sum.Already, Failed: len(r.sum.Failed), Total: r.sum.Total})
	}
}

// overQuota reports whether the server refused a message for the
// mailbox's quota (RFC 9208's code, or the words where a server gives no
// code), after which nothing more would fit.
func overQuota(err error) bool {
	var ierr *imap.Error
	if !errors.As(err, &ierr) {
		return false
	}
	return ierr.Code == imap.ResponseCodeOverQuota || strings.Contains(strings.ToLower(ierr.Text), "quota")
}

// reason says why a message was refused, in the server's words.
func reason(err error) string {
	var ierr *imap.Error
	if !errors.As(err, &ierr) {
		return err.Error()
	}
	var why string
	switch ierr.Code {
	case imap.ResponseCodeOverQuota:
		why = "over quota"
	case imap.ResponseCodeTooBig:
		why = "too large for this server"
	case "":
		why = "refused"
	default:
		why = "refused (" + strings.ToLower(string(ierr.Code)) + ")"
	}
	if ierr.Text != "" {
		why += ": " + ierr.Text
	}
	return why
}

func sortIDs(ids []uint64) { slices.Sort(ids) }

// waitFor waits for a command that returns data, under the watchdog.
func waitFor[T any](c *conn, cmd interface{ Wait() (T, error) }) (T, error) {
	defer c.w.await()()
	v, err := cmd.Wait()
	return v, c.explain(err)
}

// budget bounds bytes in flight.
type budget struct {
	mu        sync.Mutex
	cond      *sync.Cond
	used, max int
	stopped   bool
}

func newBudget(max int) *budget {
	b := &budget{max: max}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// acquire waits until n bytes fit (or nothing else is in flight); false
// means the run stopped.
func (b *budget) acquire(n int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for !b.stopped && b.used > 0 && b.used+n > b.max {
		b.cond.Wait()
	}
	if b.stopped {
		return false
	}
	b.used += n
	return true
}

func (b *budget) release(n int) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
	b.cond.Broadcast()
}

func (b *budget) stop() {
	b.mu.Lock()
	b.stopped = true
	b.mu.Unlock()
	b.cond.Broadcast()
}
