package fetch

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"popvault/archive"
	"popvault/fetch/pop3"
)

// Fetcher downloads accounts into an archive.
type Fetcher struct {
	Archive *archive.Archive
	// Secrets gives each account what it signs in with: a password, or an
	// access token. Nil means an empty password and no token.
	Secrets SignIn

	// Progress, if set, is called after each message and at each stage,
	// from the fetching goroutines (it must be safe for concurrent calls);
	// a UI must hand it to its own thread.
	Progress func(Progress)
	// Committed, if set, is called after each commit to the archive with
	// how many messages this session has committed so far: new mail can
	// be listed from then on. It is called as Progress is.
	Committed func(account string, committed int)
	// Now is the clock for "delete after N days"; nil means time.Now.
	Now func() time.Time
	// BatchBytes and BatchCount bound a commit: a batch is stored, in one
	// fsync, when either is reached. Zero means 16 MiB and 1,000: one
	// batch commits while the next fills, so this bounds memory too.
	BatchBytes int
	BatchCount int
	// MaxMessageSize refuses larger messages (they stay on the server).
	// Zero means archive.MaxMessageSize.
	MaxMessageSize int64
	// MaxSessions bounds Gmail's session loop; reaching it sets
	// Result.More. Zero means no bound: sessions go on while they bring
	// mail.
	MaxSessions int
	// SessionPause is how long Gmail's loop waits when the server asks
	// for a pause between sessions ([LOGIN-DELAY] or [IN-USE]), up to
	// three times. Zero means 30 s.
	SessionPause time.Duration
	// RootCAs, when set, replaces the system's roots (tests, the demo).
	RootCAs *x509.CertPool
	// DebugWriter receives the POP3 conversation, credentials redacted.
	DebugWriter io.Writer
	// Deliver, when set, puts what an account with a delivery target
	// fetches into that target before anything is deleted from the POP
	// server (package deliver provides it).
	Deliver Deliverer

	commits committer // every session's batches, committed together
}

// Stage is where a fetch is.
type Stage string

const (
	StageConnecting  Stage = "connecting"
	StageListing     Stage = "listing"
	StageDownloading Stage = "downloading"
	StageDelivering  Stage = "delivering"
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
}

// Result is what one account's fetch did.
type Result struct {
	Account  string
	New      int   // messages newly stored (or claimed, if the archive had their bytes)
	Bytes    int64 // downloaded
	Deleted  int   // deleted from the server
	Sessions int
	// More: the server still holds mail this fetch did not bring, because
	// Gmail asked for a pause it did not get, or MaxSessions was reached;
	// the next fetch goes on from there.
	More bool
	Err  error
	// Delivered counts the messages put into the account's delivery
	// target by this fetch; Waiting those archived and not yet there
	// (they stay on the POP server), and DeliveryErr says why they wait.
	// The fetch itself may have succeeded: Err is about the POP side.
	Delivered   int
	Waiting     int
	DeliveryErr error
	// Refused are the messages the target refuses for good (they stay on
	// the POP server), and DeliveryNote names them: a standing note,
	// not a failure.
	Refused      int
	DeliveryNote string
	// Trigger is what started the fetch: a person asking (the zero value,
	// and what a direct Fetch is) or a Scheduler's timer.
	Trigger Trigger
}

// Failed reports whether the fetch or its delivery failed.
func (r *Result) Failed() bool { return r.Err != nil || r.DeliveryErr != nil }

// AccountError is a fetch's failure, with the account it was for.
type AccountError struct {
	Account string
	Err     error
}

// Error says "fetch:" and the account once, however deep the cause: a
// cause from this package says "fetch:" itself.
func (e *AccountError) Error() string { return "fetch: " + e.Account + ": " + e.Reason() }

// Reason is the failure without "fetch:" and the account's name, for a
// place that shows it beside the account. A cause from the packages that
// sign a fetch in and protect its connection (credentials, the usual
// [SignIn]; transport) is shown without its package's name too, as it
// was when that code was this package's: "no password stored for this
// account" says all a person needs.
func (e *AccountError) Reason() string {
	msg := strings.TrimPrefix(e.Err.Error(), "fetch: ")
	for _, p := range []string{"credentials: ", "transport: "} {
		if rest, ok := strings.CutPrefix(msg, p); ok {
			return rest
		}
	}
	return msg
}

func (e *AccountError) Unwrap() error { return e.Err }

// ErrNoUIDL: the server cannot tell messages apart between sessions, so
// mail cannot be left on it.
var ErrNoUIDL = errors.New("fetch: this server does not support UIDL, so popvault cannot tell which messages it has already downloaded: keeping mail on the server is impossible. Choose \"Delete from the server once safely in the archive\" for this account (account edit --keep=false)")

// Fetch downloads one account. For Gmail (by host name or its "Gpop"
// greeting) it opens sessions until one brings nothing, since Gmail lists
// about 250 messages per session; it never stops early without saying so
// in Result.More.
func (f *Fetcher) Fetch(ctx context.Context, acct Account) Result {
	res := Result{Account: acct.Name}
	acct = acct.WithDefaults()
	if err := acct.Check(); err != nil {
		res.Err = err
		return res
	}
	release, err := claim(ctx, f.Archive, acct.Name)
	if err != nil {
		res.Err = &AccountError{Account: acct.Name, Err: err}
		return res
	}
	defer release()
	secret, err := password(ctx, f.Secrets, acct)
	if err != nil {
		res.Err = &AccountError{Account: acct.Name, Err: err}
		return res
	}
	pauses, delivered := 0, false
	for {
		if f.MaxSessions > 0 && res.Sessions == f.MaxSessions {
			res.More = true
			break
		}
		res.Sessions++
		s, err := f.session(ctx, acct, f.Secrets, secret)
		if s.delivery != nil {
			delivered = true
			res.addDelivery(s.delivery)
		}
		res.New += s.stored
		res.Bytes += s.bytes
		res.Deleted += s.deleted
		if err != nil && res.Sessions > 1 && s.committed == 0 && askedToWait(err) {
			// Gmail's next session, refused for now: earlier sessions'
			// mail is safe, and the rest is still on the server.
			if pauses == 3 {
				res.More = true
				break
			}
			pauses++
			res.Sessions--
			if f.sleep(ctx, f.pause()) != nil {
				res.More = true
				break
			}
			continue
		}
		if err != nil {
			res.Err = &AccountError{Account: acct.Name, Err: err}
			break
		}
		if s.committed == 0 || !s.gmail {
			break
		}
	}
	if !delivered && f.delivers(acct) && ctx.Err() == nil {
		// The POP side failed before its delivery: what the archive
		// holds for the target still goes.
		d := f.deliver(ctx, acct, nil)
		res.addDelivery(&d)
	}
	f.report(Progress{Account: acct.Name, Stage: StageDone})
	return res
}

// addDelivery counts a session's delivery in the result: what waits is
// the last one's word.
func (r *Result) addDelivery(d *DeliveryReport) {
	r.Delivered += d.Delivered
	r.Waiting = len(d.Waiting) - d.Refused
	r.Refused, r.DeliveryNote = d.Refused, d.Note
	r.DeliveryErr = nil
	if d.Err != nil {
		r.DeliveryErr = &AccountError{Account: r.Account, Err: d.Err}
	}
}

func (f *Fetcher) delivers(acct Account) bool { return acct.Deliver != nil }

// errNoDeliverer: an account delivers, and the Fetcher was given no
// Deliverer; it must not delete what may not be delivered.
var errNoDeliverer = errors.New("fetch: this account puts its mail into another mailbox, which this fetch cannot do: nothing was deleted from the server")

// deliver hands the Deliverer what this session stored.
func (f *Fetcher) deliver(ctx context.Context, acct Account, stored []uint64) DeliveryReport {
	if f.Deliver == nil {
		return DeliveryReport{Unknown: true, Err: errNoDeliverer}
	}
	f.report(Progress{Account: acct.Name, Stage: StageDelivering})
	return f.Deliver.Deliver(ctx, acct, stored, nil)
}

// askedToWait reports a server's request to come back later for the
// maildrop: [LOGIN-DELAY], or [IN-USE] while a session ends.
func askedToWait(err error) bool {
	return errors.Is(err, pop3.ErrLoginDelay) || errors.Is(err, pop3.ErrInUse)
}

func (f *Fetcher) pause() time.Duration {
	if f.SessionPause > 0 {
		return f.SessionPause
	}
	return 30 * time.Second
}

// sleep waits d, or until ctx ends.
func (f *Fetcher) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
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
	return errors.Is(err, pop3.ErrTimeout) || errors.Is(err, pop3.ErrTooSlow) || errors.Is(err, io.ErrUnexpectedEOF) ||
		ConnRefused(err) || connReset(err) ||
		(errors.As(err, &nerr) && nerr.Timeout()) || strings.Contains(fmt.Sprint(err), "no such host")
}

// password is acct's password from in, for an account that signs in
// with one.
func password(ctx context.Context, in SignIn, acct Account) (string, error) {
	if acct.TokenAuth || acct.OAuth != "" || in == nil {
		return "", nil
	}
	return in.Password(ctx, acct)
}

// TryConnection connects and signs in as a fetch would, with what in
// gives (an account dialog's password or sign-in, not saved yet), and
// returns the number and total size of the messages on the server; it
// changes nothing there.
func (f *Fetcher) TryConnection(ctx context.Context, acct Account, in SignIn) (messages int, size int64, err error) {
	acct = acct.WithDefaults()
	if err := acct.Check(); err != nil {
		return 0, 0, err
	}
	secret, err := password(ctx, in, acct)
	if err != nil {
		return 0, 0, err
	}
	c, err := f.connect(ctx, acct, nil) // the long way: it tests what the server says now
	if err != nil {
		return 0, 0, err
	}
	defer func() { c.Close() }()
	c, l, err := f.loginAndList(ctx, c, acct, in, secret)
	if err != nil {
		return 0, 0, err
	}
	messages, size, err = c.Stat(ctx)
	if err != nil {
		return 0, 0, err
	}
	if !l.HasUIDL && acct.KeepOnServer {
		return messages, size, ErrNoUIDL
	}
	c.Quit(ctx)
	return messages, size, nil
}
