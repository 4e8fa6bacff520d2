package notify

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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
	// (Windows' toasts carry it in their popvault-open: URI: OpenURI.)
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

// OpenURI is the URI that opens popvault on account of archive ("" is
// the default archive), for Windows toasts: popvault-open:ACCOUNT, with
// ?archive=PATH where there is one. Everything but letters, digits and
// "-._~" is percent-encoded, so that the URI holds no space, quote, "&"
// or anything else a command line or XML could take for its own.
func OpenURI(account, archive string) string {
	uri := uriScheme + ":" + escape(account)
	if archive != "" {
		uri += "?" + archiveKey + "=" + escape(archive)
	}
	return uri
}

const archiveKey = "archive"

// escape percent-encodes every byte but RFC 3986's unreserved ones.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; unreserved(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~", c) >= 0
}

// ParseOpenArg returns the account and the archive an --open-account
// argument names: a popvault-open: URI, as a Windows toast's click
// passes it, or an account's name (archive ""). A URI is anyone's to
// make (a web page can open one), so its archive must be a local file's
// absolute path, written as OpenURI writes it: a network path
// (\\server\share) would have Windows sign in to that server as the
// user, and anything else is refused too.
func ParseOpenArg(arg string) (account, archive string, err error) {
	rest, ok := strings.CutPrefix(arg, uriScheme+":")
	if !ok {
		return arg, "", nil
	}
	name, query, hasQuery := strings.Cut(rest, "?")
	// Lenient for the name, which only picks an account: older
	// popvaults escaped less of it.
	if account, err = url.PathUnescape(name); err != nil {
		return "", "", fmt.Errorf("%w: the account's name: %w", ErrNotOurLink, err)
	}
	if !hasQuery {
		return account, "", nil
	}
	value, ok := strings.CutPrefix(query, archiveKey+"=")
	if !ok {
		return "", "", fmt.Errorf("%w: it says %q where popvault writes %s=", ErrNotOurLink, query, archiveKey)
	}
	if archive, err = unescape(value); err != nil {
		return "", "", fmt.Errorf("%w: the archive's path: %w", ErrNotOurLink, err)
	}
	if err := localPath(archive); err != nil {
		return "", "", fmt.Errorf("%w: %w", ErrNotOurLink, err)
	}
	return account, archive, nil
}

// ErrNotOurLink: an --open-account URI popvault would not have made.
var ErrNotOurLink = errors.New("this popvault-open: link is not one popvault made")

// unescape undoes escape, and refuses what escape would not write.
func unescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case unreserved(c):
			b.WriteByte(c)
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		default:
			return "", fmt.Errorf("%q at %d is not written that way", s[i:min(i+3, len(s))], i)
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// localPath refuses an archive path that is not a local file's: not
// absolute, a network or device path, or holding control characters.
func localPath(p string) error {
	switch {
	case strings.IndexFunc(p, unicode.IsControl) >= 0:
		return errors.New("the archive's path holds control characters")
	case strings.HasPrefix(p, `\\`) || strings.HasPrefix(p, "//") || strings.HasPrefix(p, `\/`) || strings.HasPrefix(p, `/\`):
		return fmt.Errorf("the archive %s is on another computer, where popvault keeps none", p)
	case !utf8.ValidString(p):
		return errors.New("the archive's path is not UTF-8")
	case !filepath.IsAbs(p):
		return fmt.Errorf("the archive %s is not a full path", p)
	}
	return nil
}

func (n Notification) check() error {
	if strings.TrimSpace(n.Title) == "" {
		return errors.New("notify: a notification needs a title")
	}
	return nil
}
