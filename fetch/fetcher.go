package fetch

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"popvault/archive"
	"popvault/fetch/pop3"
)

// Fetcher downloads accounts into an archive.
type Fetcher struct {
	Archive *archive.Archive
	Secrets Secrets

	// Progress, if set, is called after each message, each commit and
	// each stage, from the fetching goroutines (it must be safe for
	// concurrent calls); a UI must hand it to its own thread.
	Progress func(Progress)
	// Now is the clock for "delete after N days"; nil means time.Now.
	Now func() time.Time
	// BatchBytes and BatchCount bound a commit: a batch is stored, in one
	// fsync, when either is reached. Zero means 16 MiB and 1,000: one
	// batch commits while the next fills, so this bounds memory too.
	BatchBytes int
	BatchCount int
	// MaxMessageSize refuses larger messages (they stay on the server).
	// Zero means 512 MiB.
	MaxMessageSize int64
	// MaxSessions bounds Gmail's session loop. Zero means 100.
	MaxSessions int
	// RootCAs, when set, replaces the system's roots (tests, the demo).
	RootCAs *x509.CertPool
	// DebugWriter receives the POP3 conversation, credentials redacted.
	DebugWriter io.Writer
}

// Stage is where a fetch is.
type Stage string

const (
	StageConnecting  Stage = "connecting"
	StageListing     Stage = "listing"
	StageDownloading Stage = "downloading"
	StageDeleting    Stage = "deleting"
	StageDone        Stage = "done"
)

// Progress reports a fetch's advance.
type Progress struct {
	Account                 string
	Stage                   Stage
	Messages, MessagesTotal int   // downloaded and to download, this session
	Bytes, BytesTotal       int64 // as the server counts them
	Subject                 string
	Stored                  int // committed to the archive so far, this session
}

// Result is what one account's fetch did.
type Result struct {
	Account  string
	New      int   // messages newly stored (or claimed, if the archive had their bytes)
	Bytes    int64 // downloaded
	Deleted  int   // deleted from the server
	Sessions int
	Err      error
}

// ErrNoUIDL: the server cannot tell messages apart between sessions, so
// mail cannot be left on it.
var ErrNoUIDL = errors.New("fetch: this server does not support UIDL, so popvault cannot tell which messages it has already downloaded: keeping mail on the server is impossible. Choose \"delete after download\" for this account")

// Fetch downloads one account. For Gmail (by host name or its "Gpop"
// greeting) it opens sessions until one brings nothing new, since Gmail
// lists about 250 messages per session.
func (f *Fetcher) Fetch(ctx context.Context, acct Account) Result {
	res := Result{Account: acct.Name}
	if err := acct.Validate(); err != nil {
		res.Err = err
		return res
	}
	secret := ""
	if acct.TokenCommand == "" && f.Secrets != nil {
		s, err := f.Secrets.Get(acct.Name)
		if err != nil {
			res.Err = fmt.Errorf("fetch: %s: %w", acct.Name, err)
			return res
		}
		secret = s
	}
	maxSessions := f.MaxSessions
	if maxSessions <= 0 {
		maxSessions = 100
	}
	for res.Sessions < maxSessions {
		res.Sessions++
		s, err := f.session(ctx, acct, secret)
		res.New += s.stored
		res.Bytes += s.bytes
		res.Deleted += s.deleted
		if err != nil {
			res.Err = fmt.Errorf("fetch: %s: %w", acct.Name, err)
			break
		}
		if s.stored == 0 || !s.gmail {
			break
		}
	}
	f.report(Progress{Account: acct.Name, Stage: StageDone})
	return res
}

func (f *Fetcher) report(p Progress) {
	if f.Progress != nil {
		f.Progress(p)
	}
}

func (f *Fetcher) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// IsTemporary reports whether a fetch error means "try later": the server
// said so ([IN-USE], [LOGIN-DELAY], [SYS/TEMP]), or the network failed.
// Wrong passwords, refused TLS and bad settings are not temporary.
func IsTemporary(err error) bool {
	var perr *pop3.Error
	if errors.As(err, &perr) {
		return perr.Temporary()
	}
	var nerr net.Error
	return errors.Is(err, pop3.ErrTimeout) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		(errors.As(err, &nerr) && nerr.Timeout()) || strings.Contains(fmt.Sprint(err), "no such host")
}

// Test connects and logs in as a fetch would, and returns the number and
// total size of the messages on the server; it changes nothing there.
func (f *Fetcher) Test(ctx context.Context, acct Account, secret string) (int, int64, error) {
	if err := acct.Validate(); err != nil {
		return 0, 0, err
	}
	c, err := f.connect(ctx, acct, secret)
	if err != nil {
		return 0, 0, err
	}
	defer c.Close()
	l, err := f.loginAndList(ctx, c, acct, secret)
	if err != nil {
		return 0, 0, err
	}
	n, size, err := c.Stat(ctx)
	if err != nil {
		return 0, 0, err
	}
	if !l.HasUIDL && acct.KeepOnServer {
		return n, size, ErrNoUIDL
	}
	c.Quit(ctx)
	return n, size, nil
}
