package notify

import (
	"encoding/xml"
	"testing"
	"time"
)

func TestShouldNotify(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	hour := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	ok := func(h int) Attempt { return Attempt{At: hour(h), OK: true} }
	fail := func(h int) Attempt { return Attempt{At: hour(h)} }
	signIn := func(h int) Attempt { return Attempt{At: hour(h), SignIn: true} }
	cases := map[string]struct {
		h      History
		notify bool
		reason Reason
	}{
		"nothing yet":                  {History{}, false, NothingAttempted},
		"working":                      {History{Attempts: []Attempt{fail(-3), ok(-1)}}, false, NotFailing},
		"one failure":                  {History{Attempts: []Attempt{ok(-2), fail(-1)}}, false, FailedOnce},
		"second failure in a row":      {History{Attempts: []Attempt{ok(-3), fail(-2), fail(-1)}}, true, StartedFailing},
		"failing from the first fetch": {History{Attempts: []Attempt{fail(-2), fail(-1)}}, true, StartedFailing},
		"told about this streak": {History{Attempts: []Attempt{ok(-40), fail(-30), fail(-29), fail(-1)}, LastNotified: hour(-29), LastReason: StartedFailing},
			false, AlreadyNotified},
		"a new streak, told two days ago": {History{Attempts: []Attempt{fail(-50), fail(-49), ok(-3), fail(-2), fail(-1)}, LastNotified: hour(-49), LastReason: StartedFailing},
			true, StartedFailing},
		"a new streak, told today": {History{Attempts: []Attempt{fail(-10), fail(-9), ok(-3), fail(-2), fail(-1)}, LastNotified: hour(-9), LastReason: StartedFailing},
			false, NotifiedToday},
		"sign-in refused once":  {History{Attempts: []Attempt{ok(-2), signIn(-1)}}, true, SignInNeeded},
		"sign-in, streak told":  {History{Attempts: []Attempt{ok(-50), fail(-40), fail(-39), signIn(-1)}, LastNotified: hour(-39), LastReason: StartedFailing}, true, SignInNeeded},
		"sign-in, told already": {History{Attempts: []Attempt{ok(-50), signIn(-40), signIn(-1)}, LastNotified: hour(-40), LastReason: SignInNeeded}, false, AlreadyNotified},
		"sign-in, streak told today": {History{Attempts: []Attempt{ok(-50), fail(-5), fail(-4), signIn(-1)}, LastNotified: hour(-4), LastReason: StartedFailing},
			false, NotifiedToday},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			notify, reason := ShouldNotify(c.h, now)
			if notify != c.notify || reason != c.reason {
				t.Errorf("got %v (%s), want %v (%s)", notify, reason, c.notify, c.reason)
			}
		})
	}
}

func TestOpenArg(t *testing.T) {
	for _, name := range []string{"Gmail", "Old ISP & co", "work: main/inbox", "100% ünïcode", "popvault-open:x", ""} {
		if got := ParseOpenArg(OpenURI(name)); got != name {
			t.Errorf("%q → %q → %q", name, OpenURI(name), got)
		}
	}
	if got := ParseOpenArg("Gmail"); got != "Gmail" {
		t.Errorf("a plain name: %q", got)
	}
}

// The toast's XML: escaped title and body, a click (on the toast and on
// its button) that activates the account's URI.
func TestToastXML(t *testing.T) {
	n := Notification{Title: `Old <ISP> & "co": backups have stopped`, Body: "The server said ]]> and <b>no</b>.", Account: "Old ISP & co"}
	s := toastXML(n, `C:\popvault\icon.png`, "protocol")
	var got toast
	if err := xml.Unmarshal([]byte(s), &got); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	if got.ActivationType != "protocol" || got.Launch != OpenURI(n.Account) || ParseOpenArg(got.Launch) != n.Account {
		t.Errorf("activation %q %q", got.ActivationType, got.Launch)
	}
	if got.Binding.Template != "ToastGeneric" || len(got.Binding.Text) != 2 || got.Binding.Text[0] != n.Title || got.Binding.Text[1] != n.Body {
		t.Errorf("text %q", got.Binding.Text)
	}
	if got.Binding.Image == nil || got.Binding.Image.Src != `C:\popvault\icon.png` {
		t.Errorf("image %+v", got.Binding.Image)
	}
	if len(got.Actions) != 1 || got.Actions[0].Arguments != got.Launch || got.Actions[0].Content != "Open popvault" {
		t.Errorf("actions %+v", got.Actions)
	}
}
