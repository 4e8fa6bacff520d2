package ui

import (
	"time"

	"popvault/fetch"
	"popvault/health"
)

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
