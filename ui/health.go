package ui

import (
	"context"
	"io"
	"time"

	"popvault/archive"
	"popvault/fetch"
	"popvault/handoff"
	"popvault/health"
)

// Serve runs a command another popvault hands to the window, on the
// window's archive, writing its output to stdout and stderr, and returns
// its exit status. The window's caller (cmd/popvault) gives the command
// line's own, so that a command run here ends as it would alone.
type Serve func(ctx context.Context, arch *archive.Archive, req handoff.Request, stdout, stderr io.Writer) int

// watchHealth reads each account's record of fetches, and listens for
// the commands other popvaults hand to the window (Options.Serve): a
// scheduled fetch while the window is open runs here, and its mail and
// health show at once.
func (u *UI) watchHealth() {
	u.loadHealth()
	if u.opts.Serve == nil {
		return
	}
	s, err := handoff.Listen(u.opts.ArchivePath, func(ctx context.Context, req handoff.Request, stdout, stderr io.Writer) int {
		code := u.opts.Serve(ctx, u.arch, req, stdout, stderr)
		onUI(func() {
			u.reloadAccounts()
			u.loadHealth()
		})
		return code
	})
	if err != nil {
		u.setStatus("Scheduled backups cannot run while this window is open (" + err.Error() + "): they will say the archive is in use")
		return
	}
	u.handoff = s
}

func (u *UI) stopHandOff() {
	if u.handoff != nil {
		u.handoff.Close()
	}
}

// loadHealth rereads every account's record, off the Fyne goroutine.
func (u *UI) loadHealth() {
	u.background(func() func() {
		names, err := u.arch.Accounts()
		if err != nil {
			return nil
		}
		recs := map[string]health.Record{}
		for _, n := range names {
			if r, err := health.Load(u.arch, n); err == nil {
				recs[n] = r
			}
		}
		return func() {
			u.health = recs
			u.sidebar.refresh()
		}
	})
}

// recordHealth keeps the account's record of fetches, as every fetch
// does (health.Store), and shows it; called on a fetching goroutine.
func (u *UI) recordHealth(r fetch.Result) {
	acct, err := fetch.LoadAccount(u.arch, r.Account)
	if err != nil {
		return // removed while it fetched
	}
	rec, err := health.Store(u.arch, acct, r, time.Now())
	if err != nil {
		return // the mail is safe; the next fetch records again
	}
	onUI(func() { u.showHealth(rec) })
}

// showHealth keeps rec for the sidebar.
func (u *UI) showHealth(rec health.Record) {
	if u.health == nil {
		u.health = map[string]health.Record{}
	}
	u.health[rec.Account] = rec
	u.sidebar.refresh()
}

// openRequested shows the account the window was opened on
// (Options.OpenAccount: a notification's click), once it is listed.
func (u *UI) openRequested() {
	want := u.opts.OpenAccount
	for i, a := range u.accounts {
		if want != "" && a.Name == want {
			u.opts.OpenAccount = ""
			u.sidebar.list.Select(i + 1)
		}
	}
}
