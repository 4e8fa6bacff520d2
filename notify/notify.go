package notify

import (
	"errors"
	"net/url"
	"strings"
	"time"
)

// ErrNoSession: there is no desktop session to notify, as under cron or
// with nobody logged in; nothing was shown and nothing was started.
var ErrNoSession = errors.New("notify: no desktop session to show a notification in")

// WaiterCommand is the argument with which popvault's command line must
// call RunWaiter: Send starts `EXE notify-wait`.
const WaiterCommand = "notify-wait"

// OpenAccountFlag is the argument with which a click starts popvault on
// an account: `EXE --open-account NAME` (on Windows, NAME is a
// popvault-open: URI: see ParseOpenArg).
const OpenAccountFlag = "--open-account"

// AppID names popvault to the desktop: its desktop entry and icon.
const AppID = "io.popvault.app"

// uriScheme is the URI a click on a Windows toast activates.
const uriScheme = "popvault-open"

// DefaultWaitAtMost is how long a detached waiter waits for a click.
const DefaultWaitAtMost = 15 * time.Minute

// Notification is one message to a person.
type Notification struct {
	Title   string // plain words: "Gmail: backups have stopped"
	Body    string // what happened, and what to do about it
	Account string // the account a click opens popvault on; "" opens it as it is
}

// Options say how a click reaches popvault.
type Options struct {
	// Exe is popvault's program (os.Executable): the waiter runs as
	// `Exe notify-wait` and a click starts `Exe --open-account NAME`.
	Exe string
	// Archive is the archive popvault is started on by a click
	// (`Exe --archive Archive --open-account NAME`); "" is the default
	// one. A job that fetches another archive names it, or the click
	// would open the default archive, where the account may not be.
	// (Windows' toasts start popvault through the popvault-open: URI,
	// which carries the account alone.)
	Archive string
	// OnClick, when set, is called in this process on a click, from a
	// goroutine of its own, and no process is started: for the window,
	// which stays running. A Fyne caller wraps its work in fyne.Do.
	OnClick func(account string)
	// Icon is the notification's icon: a file's path or an icon theme's
	// name; "" is AppID, the icon popvault installs.
	Icon string
	// WaitAtMost bounds the wait for a click; 0 is DefaultWaitAtMost.
	WaitAtMost time.Duration
}

// OpenURI is the URI that opens popvault on account (Windows toasts).
func OpenURI(account string) string { return uriScheme + ":" + url.PathEscape(account) }

// ParseOpenArg returns the account an --open-account argument names: a
// popvault-open: URI, as a Windows toast's click passes it, or a name.
func ParseOpenArg(arg string) string {
	if rest, ok := strings.CutPrefix(arg, uriScheme+":"); ok {
		if name, err := url.PathUnescape(rest); err == nil {
			return name
		}
	}
	return arg
}

func (n Notification) check() error {
	if strings.TrimSpace(n.Title) == "" {
		return errors.New("notify: a notification needs a title")
	}
	return nil
}
