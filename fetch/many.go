package fetch

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"popvault/archive"
)

// DefaultParallel is how many accounts FetchAll fetches at once unless
// told otherwise: enough that a slow account does not hold the others
// back, few enough that a person's uplink and the archive's one writer
// are not swamped.
const DefaultParallel = 4

// maildrop names what a POP server locks for a session: one user's
// mailbox on one server. Two accounts with the same host name, port and
// user are one maildrop (a second session would be refused with [IN-USE],
// or worse, see the first's listing change under it), and providers limit
// concurrent logins per user, so FetchAll never runs two sessions of one
// maildrop at once.
func maildrop(a Account) string {
	return strings.ToLower(strings.TrimSuffix(a.Host, ".")) + ":" + strconv.Itoa(a.Port) + ":" + a.User
}

// FetchAll fetches accounts concurrently, Parallel at a time (zero means
// DefaultParallel), the accounts of one maildrop one after another, in
// the order given. done, if set, is called with each account's result as
// it finishes (from FetchAll's goroutines: it must be safe for concurrent
// calls); the results are returned in the accounts' order. A failing
// account stops no other. Commits of all sessions go through one group
// committer, so that concurrency does not multiply fsyncs.
func (f *Fetcher) FetchAll(ctx context.Context, accts []Account, parallel int, done func(Result)) []Result {
	if parallel <= 0 {
		parallel = DefaultParallel
	}
	var order []string
	groups := map[string][]int{}
	for i, a := range accts {
		k := maildrop(a)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	results := make([]Result, len(accts))
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, k := range order {
		wg.Add(1)
		slots <- struct{}{}
		go func(indexes []int) {
			defer func() { <-slots; wg.Done() }()
			for _, i := range indexes {
				results[i] = f.Fetch(ctx, accts[i])
				if done != nil {
					done(results[i])
				}
			}
		}(groups[k])
	}
	wg.Wait()
	return results
}

// committer stores the batches of every session of a Fetcher in as few
// commits as it can: a session that finds no commit under way commits
// what all sessions have queued, in one transaction and one fsync, while
// the others wait; batches that arrive meanwhile go in the next commit,
// which the first of them makes (so that no session's own downloading
// waits on committing the others' for long). A failed commit fails every
// batch in it: none of them is stored.
type committer struct {
	mu      sync.Mutex
	busy    bool
	waiting []*commit
}

type commit struct {
	in      []archive.Incoming
	results []archive.Stored
	err     error
	wake    chan bool // true: committed; false: make the next commit
}

// store commits in with the batches queued beside it, through commitAll
// (the archive's Store), and returns in's own results.
func (c *committer) store(commitAll func([]archive.Incoming) ([]archive.Stored, error), in []archive.Incoming) ([]archive.Stored, error) {
	mine := &commit{in: in, wake: make(chan bool, 1)}
	c.mu.Lock()
	c.waiting = append(c.waiting, mine)
	if c.busy {
		c.mu.Unlock()
		if <-mine.wake {
			return mine.results, mine.err
		}
		c.mu.Lock() // handed the next commit: mine is still waiting
	}
	c.busy = true
	group := c.waiting
	c.waiting = nil
	c.mu.Unlock()

	var all []archive.Incoming
	for _, g := range group {
		all = append(all, g.in...)
	}
	results, err := commitAll(all)
	for _, g := range group {
		g.err = err
		if err == nil {
			g.results, results = results[:len(g.in):len(g.in)], results[len(g.in):]
		}
		if g != mine {
			g.wake <- true
		}
	}

	c.mu.Lock()
	if len(c.waiting) > 0 {
		c.waiting[0].wake <- false
	} else {
		c.busy = false
	}
	c.mu.Unlock()
	return mine.results, mine.err
}
