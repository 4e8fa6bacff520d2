package notify

import (
	"encoding/xml"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
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

// root is an absolute path's start on this system.
func root() string {
	if runtime.GOOS == "windows" {
		return `C:\`
	}
	return "/"
}

// The popvault-open: URI carries the account and the archive there and
// back, whatever they hold, and holds nothing a command line or XML
// could take for its own.
func TestOpenArg(t *testing.T) {
	names := []string{"Gmail", "Old ISP & co", `say "hi"`, "work: main/inbox?x=1", "100% ünïcode", "popvault-open:x", "a+b c", ""}
	archives := []string{"", filepath.Join(root(), "Users", "Ann Lee", `Mail & "old"`, "ärchive 100%.db"),
		filepath.Join(root(), "a?archive=b&c=d#e", "x.db")}
	for _, name := range names {
		for _, arch := range archives {
			uri := OpenURI(name, arch)
			if i := strings.IndexFunc(uri, func(r rune) bool { return !strings.ContainsRune(safe, r) }); i >= 0 {
				t.Errorf("%q holds %q", uri, uri[i])
			}
			gotName, gotArch, err := ParseOpenArg(uri)
			if err != nil || gotName != name || gotArch != arch {
				t.Errorf("(%q, %q) → %q → (%q, %q, %v)", name, arch, uri, gotName, gotArch, err)
			}
		}
	}
	if name, arch, err := ParseOpenArg("Old ISP & co"); name != "Old ISP & co" || arch != "" || err != nil {
		t.Errorf("a plain name: (%q, %q, %v)", name, arch, err)
	}
	// A toast shown by a popvault that escaped less still opens its account.
	if name, _, err := ParseOpenArg("popvault-open:Old%20ISP%20&%20co"); name != "Old ISP & co" || err != nil {
		t.Errorf("an older URI: (%q, %v)", name, err)
	}
}

// safe is what an OpenURI may hold: the scheme's colon, "?" and "=" of
// its one parameter, and percent-encoding.
const safe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%:?="

// A popvault-open: URI anyone made (a web page can open one) is refused
// when its archive is not a local full path, or it is not written as
// popvault writes it.
func TestOpenArgHostile(t *testing.T) {
	local := escape(filepath.Join(root(), "x.db"))
	cases := map[string]string{
		"a network share":           "popvault-open:Gmail?archive=" + escape(`\\evil.example\share\a.db`),
		"a network share, slashes":  "popvault-open:Gmail?archive=" + escape("//evil.example/share/a.db"),
		"a device path":             "popvault-open:Gmail?archive=" + escape(`\\?\UNC\evil\share\a.db`),
		"a relative path":           "popvault-open:Gmail?archive=" + escape(filepath.Join("..", "a.db")),
		"a control character":       "popvault-open:Gmail?archive=" + local + "%0A",
		"a NUL":                     "popvault-open:Gmail?archive=" + local + "%00",
		"not UTF-8":                 "popvault-open:Gmail?archive=" + local + "%FF",
		"a broken escape":           "popvault-open:Gmail?archive=" + local + "%ZZ",
		"a cut escape":              "popvault-open:Gmail?archive=" + local + "%4",
		"a raw quote":               "popvault-open:Gmail?archive=" + local + `"%20--demo`,
		"a second parameter":        "popvault-open:Gmail?archive=" + local + "&exe=calc",
		"another parameter":         "popvault-open:Gmail?exe=calc",
		"an empty archive":          "popvault-open:Gmail?archive=",
		"a broken escape in a name": "popvault-open:Gm%ZZail",
	}
	for name, uri := range cases {
		t.Run(name, func(t *testing.T) {
			account, arch, err := ParseOpenArg(uri)
			if !errors.Is(err, ErrNotOurLink) {
				t.Errorf("%q → (%q, %q, %v), want ErrNotOurLink", uri, account, arch, err)
			}
		})
	}
}

// The toast's XML: escaped title and body, a click (on the toast and on
// its button) that activates the account's URI.
func TestToastXML(t *testing.T) {
	n := Notification{Title: `Old <ISP> & "co": backups have stopped`, Body: "The server said ]]> and <b>no</b>.", Account: "Old ISP & co"}
	arch := filepath.Join(root(), "Users", "Ann Lee", `Mail & "old" <x>`, "ärchive.db")
	s := toastXML(n, arch, `C:\popvault\icon.png`, "protocol")
	var got toast
	if err := xml.Unmarshal([]byte(s), &got); err != nil {
		t.Fatalf("%v\n%s", err, s)
	}
	if got.ActivationType != "protocol" || got.Launch != OpenURI(n.Account, arch) {
		t.Errorf("activation %q %q", got.ActivationType, got.Launch)
	}
	if account, gotArch, err := ParseOpenArg(got.Launch); account != n.Account || gotArch != arch || err != nil {
		t.Errorf("a click opens (%q, %q, %v), want (%q, %q)", account, gotArch, err, n.Account, arch)
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
