package ui

import (
	"popvault/fetch"
	"popvault/health"
)

// explained is a fetch's failure as the window shows it. What happened
// and what mends it are health's (the command line and the status say
// the same failure from the same [health.Explanation]); the window adds
// only how it offers the fix: the button's words.
type explained struct {
	words  string         // what happened, naming the account: "Old ISP refused the password"
	fix    health.FixKind // what the button beside it does
	action string         // the button's words; "" for no button
	link   string         // the provider's page, for FixProvider (and an app password's, for FixPassword)
	detail string         // the server's or the system's own words, behind "Details"
	said   bool           // detail is the server's words, not the system's
}

// explainFetch says err, a fetch of acct that failed, as the window
// shows it.
func explainFetch(acct fetch.Account, err error) explained {
	return present(health.ExplainAccount(acct, err))
}

// present is how the window shows a failure health explained.
func present(ex health.Explanation) explained {
	e := explained{words: ex.Sentence, fix: ex.Kind, link: ex.Link, detail: ex.ServerSaid, said: ex.ServerSaid != ""}
	if e.detail == "" && ex.Detail != ex.Words {
		e.detail = ex.Detail
	}
	switch ex.Kind {
	case health.FixPassword:
		e.action = "Change password…"
	case health.FixSignIn:
		e.action = "Sign in again"
	case health.FixSettings:
		e.action = "Check the settings…"
	case health.FixProvider:
		e.action = ex.Action
	}
	return e
}
