package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

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
	u.watchStale()
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
			for name, r := range recs {
				// A failure this window did not see (a scheduled run's)
				// is said under the account as its own would be.
				_, seen := u.problems[name]
				switch {
				case seen || !r.Failing():
				case r.Failure != nil:
					e := present(*r.Failure)
					u.problems[name], u.fixes[name] = e.words, e
				default: // recorded before records kept the failure whole
					u.problems[name] = healthSentence(r.Words, r.Fix)
				}
			}
			u.sidebar.refresh()
			u.updateBanner()
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
	u.updateBanner()
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

// healthNote is what the sidebar adds to an account's counts: how long
// ago it was last backed up, or for how long it has failed ("" for All mail, or
// before any fetch).
func (u *UI) healthNote(account string) string {
	rec, ok := u.health[account]
	if account == "" || !ok || rec.LastAttempt.IsZero() {
		return ""
	}
	now := time.Now()
	if rec.Failing() {
		return " · failing " + health.Ago(now.Sub(rec.FailingSince))
	}
	// Short: the sidebar is narrow, and the row is the account's.
	return " · " + health.Ago(now.Sub(rec.LastSuccess)) + " ago"
}

// healthBanner is the strip above the list that says when an account's
// backups are stale or failing, with what to do; hidden otherwise.
type healthBanner struct {
	box   *fyne.Container
	label *widget.Label
}

func (u *UI) newHealthBanner() fyne.CanvasObject {
	b := &healthBanner{label: widget.NewLabel("")}
	b.label.Wrapping = fyne.TextWrapWord
	b.label.Importance = widget.WarningImportance
	settings := widget.NewButton("Settings…", func() { u.showSettings() })
	b.box = container.NewBorder(nil, nil, widget.NewIcon(theme.WarningIcon()), settings, b.label)
	b.box.Hide()
	u.banner = b
	return b.box
}

// updateBanner shows the banner when an account is stale or failing
// (health.Record.StateAt), naming the accounts.
func (u *UI) updateBanner() {
	if u.banner == nil {
		return
	}
	now := time.Now()
	var stale, failing []string
	for _, a := range u.accounts {
		rec, ok := u.health[a.Name]
		if !ok {
			continue
		}
		rec.Every = max(rec.Every, time.Duration(a.CheckEveryMinutes)*time.Minute)
		switch rec.StateAt(now, 0) {
		case health.Stale:
			stale = append(stale, fmt.Sprintf("%s (last backup %s ago)", a.Name, health.Ago(now.Sub(rec.LastSuccess))))
		case health.Failing:
			if now.Sub(rec.FailingSince) >= rec.StaleAfter() {
				failing = append(failing, fmt.Sprintf("%s (failing for %s: %s)", a.Name, health.Ago(now.Sub(rec.FailingSince)), rec.Words))
			}
		}
	}
	var parts []string
	if len(stale) > 0 {
		parts = append(parts, "No recent backup of "+strings.Join(stale, ", ")+
			". Press Fetch, and turn on \"Keep backing up when popvault is closed\" in Settings so that it does not happen again.")
	}
	if len(failing) > 0 {
		parts = append(parts, "Backups keep failing for "+strings.Join(failing, ", ")+". The account in the sidebar says what to do.")
	}
	u.banner.label.SetText(strings.Join(parts, " "))
	u.banner.box.Hidden = len(parts) == 0
	u.banner.box.Refresh()
}

// watchStale rereads the records now and then while the window is open:
// an account becomes stale by time passing, with no fetch to say so.
func (u *UI) watchStale() {
	go func() {
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-u.ctx.Done():
				return
			case <-t.C:
				onUI(u.loadHealth)
			}
		}
	}()
}

// healthSentence joins what happened and what to do, the first letter raised.
func healthSentence(words, fix string) string {
	if words != "" {
		words = strings.ToUpper(words[:1]) + words[1:]
	}
	if fix == "" {
		return words
	}
	return words + ". " + fix
}
