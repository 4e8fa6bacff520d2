package fetch

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"popvault/fetch/pop3test"
)

// results collects what a Scheduler's Done reports; each, if made,
// receives every result too.
type results struct {
	mu   sync.Mutex
	got  []Result
	each chan Result
}

func (r *results) done(res Result) {
	r.mu.Lock()
	r.got = append(r.got, res)
	r.mu.Unlock()
	if r.each != nil {
		r.each <- res
	}
}

func (r *results) list() []Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Result(nil), r.got...)
}

// stalledEnv is an env whose server stalls at UIDL until the client
// goes, and a channel that receives once a fetch has reached the listing.
func stalledEnv(t *testing.T) (*env, <-chan struct{}) {
	e := newEnv(t, pop3test.Config{Messages: smallCorpus(2)}, true)
	e.server.SetFaults(pop3test.Faults{Stall: &pop3test.Trigger{Command: "UIDL"}})
	listing := make(chan struct{}, 1)
	e.fetcher.Progress = func(p Progress) {
		if p.Stage == StageListing {
			select {
			case listing <- struct{}{}:
			default:
			}
		}
	}
	return e, listing
}

// Stop returns only after the fetch under way has ended (and reported):
// the window closes the archive right after it.
func TestStopWaitsForTheFetch(t *testing.T) {
	e, listing := stalledEnv(t)
	var r results
	s := &Scheduler{Fetcher: e.fetcher, Done: r.done}
	s.SetAccounts([]Account{e.acct})
	s.Start(t.Context())
	s.FetchNow()
	<-listing
	s.Stop()
	if got := r.list(); len(got) != 1 || got[0].Err == nil {
		t.Fatalf("results when Stop returned: %+v, want the stopped fetch's", got)
	}
	s.Stop() // a second Stop returns at once
}

// Start's context ends the scheduler as Stop does.
func TestStartContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var r results
		s := &Scheduler{Fetcher: &Fetcher{}, Done: r.done, Tick: time.Second}
		s.SetAccounts([]Account{{Name: "a", CheckEveryMinutes: 1}})
		ctx, cancel := context.WithCancel(t.Context())
		s.Start(ctx)
		defer s.Stop()
		cancel()
		synctest.Wait()
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		if got := r.list(); len(got) != 0 {
			t.Fatalf("fetched after the context ended: %+v", got)
		}
	})
}

// The timer fetches the accounts it was told of, at their interval, and
// says so in the result; FetchNow's result says a person asked. An
// account with no host fails at once, without the network, which is all
// the scheduler needs here.
func TestSchedulerTimerAndTrigger(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var r results
		s := &Scheduler{Fetcher: &Fetcher{}, Done: r.done, Tick: time.Second}
		s.Start(t.Context())
		defer s.Stop()
		s.SetAccounts([]Account{{Name: "a", CheckEveryMinutes: 1}})
		time.Sleep(30 * time.Second)
		synctest.Wait()
		if got := r.list(); len(got) != 0 {
			t.Fatalf("after 30 s: %+v, want nothing before the interval", got)
		}
		time.Sleep(time.Minute)
		synctest.Wait()
		got := r.list()
		if len(got) != 1 || got[0].Account != "a" || got[0].Trigger != Timer {
			t.Fatalf("after 90 s: %+v, want one timed fetch of a", got)
		}
		s.SetAccounts([]Account{{Name: "b"}}) // told: a is gone, b is checked only when asked
		s.FetchNow()
		synctest.Wait()
		time.Sleep(5 * time.Minute)
		synctest.Wait()
		got = r.list()
		if len(got) != 2 || got[1].Account != "b" || got[1].Trigger != Asked {
			t.Fatalf("after FetchNow: %+v, want b's fetch, asked for", got)
		}
	})
}

// FetchNow never blocks its caller (a window's UI goroutine), however
// often it is called while a fetch runs, and what was asked meanwhile is
// fetched once. (A FetchNow that blocked would hang this test.)
func TestFetchNowMergesAndNeverBlocks(t *testing.T) {
	e, listing := stalledEnv(t)
	r := results{each: make(chan Result, 10)}
	s := &Scheduler{Fetcher: e.fetcher, Done: r.done}
	s.SetAccounts([]Account{e.acct})
	s.Start(t.Context())
	s.FetchNow()
	<-listing
	for range 100 { // Ctrl+R held down
		s.FetchNow("test")
	}
	s.mu.Lock()
	pending, asked := len(s.wake), len(s.asked)
	s.mu.Unlock()
	if pending != 1 || asked != 1 {
		t.Fatalf("%d wake signals for %d accounts after 100 requests, want 1 and 1", pending, asked)
	}
	e.server.SetFaults(pop3test.Faults{})
	s.Cancel() // the stalled fetch ends; the merged request runs
	if first := <-r.each; first.Err == nil {
		t.Fatalf("the cancelled fetch: %+v, want its error", first)
	}
	if second := <-r.each; second.Err != nil || second.New != 2 {
		t.Fatalf("the merged request's fetch: %+v, want 2 new", second)
	}
	s.Stop()
	if got := r.list(); len(got) != 2 || e.server.Sessions() != 2 {
		t.Fatalf("%d results and %d sessions after one request and 100 merged ones, want 2", len(got), e.server.Sessions())
	}
}

// BenchmarkFetchNow: what a request costs the window's goroutine (the
// figure the merge test used to assert by the clock).
func BenchmarkFetchNow(b *testing.B) {
	s := &Scheduler{Fetcher: &Fetcher{}}
	s.Start(b.Context())
	defer s.Stop()
	for b.Loop() {
		s.FetchNow("none") // no such account: nothing is fetched
	}
}
