package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"popvault/archive"
	"popvault/fetch"
	"popvault/health"
)

func (c *session) fetch(ctx context.Context, args []string) error {
	fs := c.flags("fetch")
	var names repeated
	fs.Var(&names, "account", "fetch this account (repeatable; default all)")
	wire := fs.Bool("debug", false, "log the POP3 conversation to stderr, credentials redacted")
	quiet := fs.Bool("quiet", false, "print only failures, for cron")
	parallel := fs.Int("parallel", fetch.DefaultParallel, "how many accounts to fetch at once (the accounts of one server and user are always fetched one after another)")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	arch, accts, err := c.allAccounts()
	if err != nil {
		return err
	}
	if len(names) > 0 {
		accts, err = pick(accts, names)
		if err != nil {
			return err
		}
	}
	if len(accts) == 0 {
		return errors.New("no accounts: add one with popvault account add")
	}
	if c.env.Archive == nil {
		// Not in the window running a handed-over fetch, whose signals
		// are its own: the other popvault going away cancels ctx.
		var stop context.CancelFunc
		ctx, stop = interruptible(ctx)
		defer stop()
	}
	bar := newProgressBar(c.terminal)
	if *quiet {
		bar = newProgressBar(io.Discard)
	}
	// Batches come and go in tens of megabytes: collect sooner than Go's
	// default, so the peak stays near the batches.
	debug.SetGCPercent(50)
	f := &fetch.Fetcher{Archive: arch, Secrets: c.credentials(), Progress: bar.update, Deliver: c.deliverer(arch)}
	if *wire {
		f.DebugWriter = c.stderr
		*parallel = 1 // one conversation at a time, or the log would interleave them
	}
	byName := map[string]fetch.Account{}
	for _, a := range accts {
		byName[a.Name] = a
	}
	results := f.FetchAll(ctx, accts, *parallel, func(r fetch.Result) {
		bar.finish(r.Account, c.stderr, fetchLine(byName[r.Account], r, *quiet))
		rec, ok := c.recordHealth(arch, byName[r.Account], r)
		if ok && *quiet {
			// --quiet is how a scheduled run fetches: nobody watches it.
			c.notifyIfDue(ctx, arch, byName[r.Account], rec)
		}
	})
	var failed []string
	for _, r := range results {
		if r.Failed() {
			failed = append(failed, r.Account)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d accounts failed: %s", len(failed), len(accts), strings.Join(failed, ", "))
	}
	return nil
}

// fetchLine is what an account's fetch says when it ends: its failure
// with the fix, or what it brought (under --quiet only when it stopped
// short).
func fetchLine(acct fetch.Account, r fetch.Result, quiet bool) string {
	return fetchOutcome(acct, r, quiet) + deliveryLine(r)
}

// deliveryLine says what an account's delivery did, when it did or
// failed anything.
func deliveryLine(r fetch.Result) string {
	switch {
	case r.DeliveryErr != nil:
		return fmt.Sprintf("popvault: %s (%d delivered, %d waiting)\n", oneLine(r.DeliveryErr), r.Delivered, r.Waiting)
	case r.Delivered > 0:
		return fmt.Sprintf("%s: %d delivered\n", r.Account, r.Delivered)
	}
	return ""
}

func fetchOutcome(acct fetch.Account, r fetch.Result, quiet bool) string {
	switch {
	case r.Err != nil:
		return failureLines(health.ExplainAccount(acct, r.Err))
	case r.More:
		// Said under --quiet too: the fetch ended before the mail did.
		return fmt.Sprintf("%s: %d new (%s), %d deleted from the server; the server may hold more, which the next fetch brings\n",
			r.Account, r.New, megabytes(r.Bytes), r.Deleted)
	case !quiet:
		return fmt.Sprintf("%s: %d new (%s), %d deleted from the server\n", r.Account, r.New, megabytes(r.Bytes), r.Deleted)
	}
	return ""
}

// failureLines say a failure as the window does (the same
// health.Explanation), in the command line's words: what happened, naming
// the account, then what to do with the command that does it, then the
// server's own words, each on a line of its own so that a person reads
// (and a script greps) each whole. Everything from the server is made
// safe to print (no escape codes) by health and again by the stream.
func failureLines(ex health.Explanation) string {
	s := "popvault: " + ex.Sentence + ".\n"
	switch {
	case ex.Command != "":
		s += "  To fix it: " + ex.Todo + ": " + ex.Command + "\n"
	case ex.Todo != "":
		s += "  To fix it: " + ex.Todo + "\n"
	}
	return s + saidLine(ex)
}

// saidLine is a failure's own words under what failureLines or
// sayTargetFailure said of it: the server's, or else the system's where
// they add to the words; "" when there are none.
func saidLine(ex health.Explanation) string {
	switch {
	case ex.ServerSaid != "":
		return "  The server said: " + ex.ServerSaid + "\n"
	case ex.Detail != "" && ex.Detail != ex.Words:
		return "  In detail: " + ex.Detail + "\n"
	}
	return ""
}

func pick(accts []fetch.Account, names []string) ([]fetch.Account, error) {
	var out []fetch.Account
	for _, n := range names {
		found := false
		for _, a := range accts {
			if a.Name == n {
				out, found = append(out, a), true
			}
		}
		if !found {
			return nil, fmt.Errorf("no account named %q", n)
		}
	}
	return out, nil
}

func megabytes(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// recordHealth keeps the account's record of fetches (popvault status,
// the window's sidebar); failing to is said, but fails no fetch: the mail
// is safe either way.
func (c *session) recordHealth(arch *archive.Archive, acct fetch.Account, r fetch.Result) (health.Record, bool) {
	rec, err := health.Store(arch, acct, r, c.now())
	if err != nil {
		fmt.Fprintf(c.stderr, "popvault: note: %s: %s\n", acct.Name, oneLine(err))
		return rec, false
	}
	return rec, true
}
