package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"popvault/deliver"
	"popvault/fetch"
)

// fetchBar shows the fetches under way, a row for each account (they are
// fetched at once): a progress bar, what is done of what, the current
// subject; and Cancel for them all.
type fetchBar struct {
	content *fyne.Container
	rows    *fyne.Container
	row     map[string]*fetchRow
}

type fetchRow struct {
	box      *fyne.Container
	progress *widget.ProgressBar
	label    *widget.Label
}

// roundResult is one account's result, as the status line says it: in
// full when it is the round's only one, else in brief.
type roundResult struct {
	account, full, brief string
	failed               bool
}

// roundStatus is the status line for a round's results: one in full;
// several as what each brought, then which failed (each failure is said
// in full under its account in the sidebar, and would crowd the line).
func roundStatus(round []roundResult) string {
	if len(round) == 1 {
		return round[0].full
	}
	var parts, failed []string
	for _, r := range round {
		if r.failed {
			failed = append(failed, r.account)
		} else {
			parts = append(parts, r.brief)
		}
	}
	switch len(failed) {
	case 0:
	case 1:
		parts = append(parts, failed[0]+" failed (its account says why)")
	default:
		parts = append(parts, strings.Join(failed[:len(failed)-1], ", ")+" and "+failed[len(failed)-1]+" failed (each account says why)")
	}
	return strings.Join(parts, " · ")
}

// starting is the row fetchNow shows until the first account reports.
const starting = "Fetch"

func newFetchBar(u *UI) *fetchBar {
	b := &fetchBar{rows: container.NewVBox(), row: map[string]*fetchRow{}}
	cancel := widget.NewButton("Cancel", func() { u.sched.Cancel() })
	b.content = container.NewBorder(nil, nil, nil, cancel, b.rows)
	b.content.Hide()
	return b
}

// show draws an account's progress; StageDone takes its row away (all
// rows, for no account).
func (b *fetchBar) show(p fetch.Progress) {
	if p.Stage == fetch.StageDone {
		for name, r := range b.row {
			if p.Account == "" || name == p.Account {
				b.rows.Remove(r.box)
				delete(b.row, name)
			}
		}
		if len(b.row) == 0 {
			b.content.Hide()
		}
		return
	}
	if p.Account != starting {
		b.show(fetch.Progress{Account: starting, Stage: fetch.StageDone})
	}
	r := b.row[p.Account]
	if r == nil {
		r = &fetchRow{progress: widget.NewProgressBar(), label: widget.NewLabel("")}
		r.label.Truncation = fyne.TextTruncateEllipsis
		r.box = container.NewVBox(r.progress, r.label)
		b.row[p.Account] = r
		b.rows.Add(r.box)
	}
	b.content.Show()
	switch p.Stage {
	case fetch.StageDownloading:
		if p.BytesTotal > 0 {
			r.progress.SetValue(float64(p.Bytes) / float64(p.BytesTotal))
		}
		r.label.SetText(fmt.Sprintf("%s: %d of %d messages, %s of %s — %s", p.Account, p.Messages, p.MessagesTotal,
			humanSize(p.Bytes), humanSize(p.BytesTotal), p.Subject))
	default:
		r.progress.SetValue(0)
		r.label.SetText(fmt.Sprintf("%s: %s…", p.Account, p.Stage))
	}
}

// startFetcher wires the engine to the window: every fetch, by button or
// by timer, goes through one scheduler, the accounts asked for at once.
func (u *UI) startFetcher() {
	var bar struct {
		sync.Mutex
		listed time.Time
		last   map[string]time.Time // each account's last progress shown
		stage  map[string]fetch.Stage
	}
	bar.last, bar.stage = map[string]time.Time{}, map[string]fetch.Stage{}
	u.fetcher = &fetch.Fetcher{Archive: u.arch, Secrets: u.creds, RootCAs: u.opts.RootCAs,
		// An account that delivers puts its mail into its target in the
		// same fetch (docs/delivery.md).
		Deliver: &deliver.Service{Archive: u.arch, SignIn: deliver.SignInFrom(u.arch, u.creds), RootCAs: u.opts.RootCAs},
		Committed: func(string, int) {
			// New mail shows in the list as it is committed, at most every
			// two seconds.
			bar.Lock()
			defer bar.Unlock()
			if time.Since(bar.listed) > 2*time.Second {
				bar.listed = time.Now()
				onUI(func() { u.list.reload(); u.refreshCounts() })
			}
		},
		Progress: func(p fetch.Progress) {
			// Called on the fetching goroutines: throttle, then hand over.
			bar.Lock()
			defer bar.Unlock()
			if p.Stage == bar.stage[p.Account] && p.Messages != p.MessagesTotal && time.Since(bar.last[p.Account]) < 200*time.Millisecond {
				return
			}
			bar.last[p.Account], bar.stage[p.Account] = time.Now(), p.Stage
			onUI(func() { u.bar.show(p) })
		}}
	// reloadAccounts tells the scheduler the accounts: it never asks the
	// UI goroutine, which Close makes wait for it.
	u.sched = &fetch.Scheduler{Fetcher: u.fetcher,
		Done: func(r fetch.Result) {
			u.recordHealth(r) // on the fetching goroutine: it writes to the archive
			onUI(func() { u.fetched(r) })
		}}
	u.sched.Start(u.ctx)
}

// fetched shows one account's result.
func (u *UI) fetched(r fetch.Result) {
	u.bar.show(fetch.Progress{Account: r.Account, Stage: fetch.StageDone})
	delete(u.needsSignIn, r.Account)
	delete(u.fixes, r.Account)
	switch {
	case r.Err != nil:
		// In words, with the fix beside it; a sign-in is never opened by
		// itself: the row's button is for a person.
		e := explainFetch(u.accountNamed(r.Account), r.Err)
		u.problems[r.Account], u.fixes[r.Account] = e.words, e
		if fetch.NeedsSignIn(r.Err) {
			u.needsSignIn[r.Account] = true
		}
	case r.DeliveryErr != nil:
		u.problems[r.Account] = deliveryProblem(r.DeliveryErr)
	case r.More:
		u.problems[r.Account] = "More mail may wait on the server: the next fetch brings it"
	default:
		delete(u.problems, r.Account)
	}
	u.deliveries[r.Account] = deliveryLine(r)
	u.notes[r.Account] = r.DeliveryNote
	res := roundResult{account: r.Account, failed: r.Err != nil,
		full: fmt.Sprintf("%s: %d new, %d deleted from the server", r.Account, r.New, r.Deleted), brief: fmt.Sprintf("%s: %d new", r.Account, r.New)}
	if r.Deleted > 0 {
		res.brief += fmt.Sprintf(", %d deleted from the server", r.Deleted)
	}
	switch {
	case r.Err != nil:
		res.full = u.problems[r.Account]
	case r.More:
		res.full += "; the server may hold more, which the next fetch brings"
		res.brief += ", more waiting"
	}
	// Accounts are fetched at once: the status line keeps every result of
	// this round, so that one account's failure is not overwritten by the
	// next one's success. A round ends when no fetch is left under way.
	u.round = slices.DeleteFunc(u.round, func(m roundResult) bool { return m.account == r.Account })
	u.round = append(u.round, res)
	u.setStatus(roundStatus(u.round))
	if len(u.bar.row) == 0 {
		u.round = nil
	}
	if r.New > 0 {
		u.list.reload()
		if r.Trigger == fetch.Timer {
			u.app.SendNotification(fyne.NewNotification("popvault", fmt.Sprintf("%d new messages in %s", r.New, r.Account)))
		}
	}
	u.refreshCounts()
	if r.Account == u.firstRun {
		u.firstRun = ""
		u.showFirstSummary(r)
	}
}

// problem is a fetch's failure said beside its account's name, so
// without the name the error carries.
func problem(err error) string {
	var ae *fetch.AccountError
	if errors.As(err, &ae) {
		return ae.Reason()
	}
	return err.Error()
}

// accountNamed is the account of that name, or one with the name alone
// when it was removed meanwhile.
func (u *UI) accountNamed(name string) fetch.Account {
	for _, a := range u.accounts {
		if a.Name == name {
			return a
		}
	}
	return fetch.Account{Name: name}
}

// fetchNow fetches the selected account, or all when All mail is shown.
func (u *UI) fetchNow() {
	if len(u.accounts) == 0 {
		u.showAccountDialog(nil)
		return
	}
	if u.selected != "" {
		u.sched.FetchNow(u.selected)
	} else {
		u.sched.FetchNow()
	}
	u.bar.show(fetch.Progress{Account: starting, Stage: fetch.StageConnecting})
}
