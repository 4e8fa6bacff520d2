package fetch

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Trigger says what started a fetch, so that a window can, for example,
// notify of new mail that a timer brought and stay quiet about mail a
// person asked for.
type Trigger int

const (
	// Asked: a person asked (FetchNow, or a fetch outside a Scheduler).
	Asked Trigger = iota
	// Timer: the account's CheckEveryMinutes came round, or a retry did.
	Timer
)

// Scheduler fetches accounts on their CheckEveryMinutes, the accounts due
// together at once (FetchAll: Parallel at a time, one maildrop at a time),
// and retries an account that failed with a temporary error
// ([IN-USE], [LOGIN-DELAY], [SYS/TEMP], the network) sooner, backing off
// from one minute to its interval. A permanent error (a wrong password)
// waits for the next interval or for FetchNow.
//
// The scheduler is told its accounts (SetAccounts) rather than asking for
// them: it never waits for its owner, whose own goroutine (a window's)
// may be waiting in Stop for the scheduler.
type Scheduler struct {
	Fetcher *Fetcher
	// Done is called after each account's fetch, from the fetching
	// goroutines (it must be safe for concurrent calls). Result.Trigger
	// says what started the fetch.
	Done func(Result)
	// Parallel is how many accounts are fetched at once; zero means
	// DefaultParallel.
	Parallel int
	// Tick is how often due accounts are looked for; zero means 15 s.
	Tick time.Duration

	mu       sync.Mutex
	accounts []Account
	next     map[string]time.Time
	backoff  map[string]time.Duration
	asked    map[string]bool // accounts asked for by FetchNow, not yet fetched
	askAll   bool            // FetchNow with no names
	wake     chan struct{}   // one pending signal that asked is not empty
	cancel   context.CancelFunc
	running  context.CancelFunc
	stopped  chan struct{} // closed when the loop, and any fetch it ran, has ended
}

// SetAccounts tells the scheduler the accounts to fetch from now on; a
// fetch under way goes on with those it started with. It never blocks for
// long (a window calls it from its UI goroutine).
func (s *Scheduler) SetAccounts(accts []Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts = append([]Account(nil), accts...)
}

// Start runs the scheduler until ctx ends or Stop.
func (s *Scheduler) Start(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.cancel = cancel
	s.next = map[string]time.Time{}
	s.backoff = map[string]time.Duration{}
	s.asked = map[string]bool{}
	s.wake = make(chan struct{}, 1)
	s.stopped = make(chan struct{})
	stopped := s.stopped
	s.mu.Unlock()
	go func() {
		defer close(stopped)
		s.loop(ctx)
	}()
}

// Stop ends the scheduler, cancels the fetches under way and waits until
// they have ended, so that what they store can be closed after it. Stop
// before Start, or a second time, returns at once.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	if s.running != nil {
		s.running()
	}
	stopped := s.stopped
	s.mu.Unlock()
	if stopped != nil {
		<-stopped
	}
}

// FetchNow asks for the named accounts (all when none) to be fetched as
// soon as the fetches under way, if any, end. It never blocks, so a window
// may call it from its UI goroutine: requests that arrive meanwhile are
// merged, and an account asked for ten times is fetched once.
func (s *Scheduler) FetchNow(names ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wake == nil {
		return
	}
	if len(names) == 0 {
		s.askAll = true
	}
	for _, n := range names {
		s.asked[n] = true
	}
	select {
	case s.wake <- struct{}{}:
	default: // a signal is already waiting
	}
}

// takeAsked returns, and clears, the names asked for: nil with all set
// means every account.
func (s *Scheduler) takeAsked() (names []string, all bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for n := range s.asked {
		names = append(names, n)
	}
	sort.Strings(names)
	all = s.askAll
	s.asked, s.askAll = map[string]bool{}, false
	return names, all
}

// Cancel stops the fetches under way, if any; their results report the
// cancel.
func (s *Scheduler) Cancel() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running != nil {
		s.running()
	}
}

func (s *Scheduler) loop(ctx context.Context) {
	tick := s.Tick
	if tick <= 0 {
		tick = 15 * time.Second
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
			names, all := s.takeAsked()
			if all {
				names = nil
			} else if len(names) == 0 {
				continue
			}
			s.run(ctx, s.pick(names), Asked)
		case <-t.C:
			s.run(ctx, s.due(time.Now()), Timer)
		}
	}
}

// pick lists the named accounts, all of them for no names.
func (s *Scheduler) pick(names []string) []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(names) == 0 {
		return append([]Account(nil), s.accounts...)
	}
	var out []Account
	for _, a := range s.accounts {
		for _, n := range names {
			if a.Name == n {
				out = append(out, a)
			}
		}
	}
	return out
}

// due lists the accounts whose check time has come.
func (s *Scheduler) due(now time.Time) []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Account
	for _, a := range s.accounts {
		if a.CheckEveryMinutes <= 0 {
			continue
		}
		next, ok := s.next[a.Name]
		if !ok {
			s.next[a.Name] = now.Add(time.Duration(a.CheckEveryMinutes) * time.Minute)
			continue
		}
		if !now.Before(next) {
			out = append(out, a)
		}
	}
	return out
}

func (s *Scheduler) run(ctx context.Context, accts []Account, why Trigger) {
	if len(accts) == 0 {
		return
	}
	byName := map[string]Account{}
	for _, a := range accts {
		byName[a.Name] = a
	}
	fctx, cancel := context.WithCancel(ctx)
	s.mu.Lock()
	s.running = cancel
	s.mu.Unlock()
	s.Fetcher.FetchAll(fctx, accts, s.Parallel, func(r Result) {
		r.Trigger = why
		s.mu.Lock()
		s.schedule(byName[r.Account], r, time.Now())
		s.mu.Unlock()
		if s.Done != nil {
			s.Done(r)
		}
	})
	cancel()
	s.mu.Lock()
	s.running = nil
	s.mu.Unlock()
}

// schedule sets the next check: the interval, or sooner after a
// temporary failure, doubling from a minute.
func (s *Scheduler) schedule(a Account, r Result, now time.Time) {
	interval := time.Duration(a.CheckEveryMinutes) * time.Minute
	if r.Err == nil || !IsTemporary(r.Err) {
		delete(s.backoff, a.Name)
		if interval > 0 {
			s.next[a.Name] = now.Add(interval)
		}
		return
	}
	b := s.backoff[a.Name]
	if b == 0 {
		b = time.Minute
	} else {
		b *= 2
	}
	if interval > 0 && b > interval {
		b = interval
	}
	s.backoff[a.Name] = b
	s.next[a.Name] = now.Add(b)
}
