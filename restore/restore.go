// Package restore copies archived messages into an IMAP mailbox with
// APPEND, byte for byte as stored, each exactly once.
//
// The archive keeps a record per target (server, user, mailbox) under the
// mailbox's UIDVALIDITY. A message is marked pending there, in a durable
// commit, before its APPEND is sent, and done once the server has said OK
// (with its UID, where the server has UIDPLUS). The record is never
// believed alone: each run first asks the server which recorded messages
// its mailbox still holds (UID SEARCH over the recorded UIDs; for records
// without one, a listing matched by Message-ID and size, or size and
// bytes), and sends again those it no longer holds. A run that finds
// pending messages left by one that was killed or cut off asks the server
// about each (by Message-ID or size, then the bytes themselves) until the
// mailbox stops changing, since a server may go on storing a dead
// connection's uploads for seconds, and only then sends again those it
// did not find; so a crash between the server's OK and the commit that
// records it sends nothing twice. Messages the server refuses are named,
// with its reason, and never counted as restored.
//
// Speed: where the server has MULTIAPPEND and LITERAL+ (Dovecot, among
// others), messages go in batches, one APPEND command each, which the
// server commits once; a batch it refuses is sent again message by
// message, so that all that fits is stored and each refusal is named.
// Commands are pipelined, a few in flight on each of several connections,
// and the bytes read from the archive and not yet sent are bounded.
// go-imap's client does neither LITERAL+ for large literals nor
// MULTIAPPEND: third_party/go-imap is a copy that does.
package restore

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"popvault/archive"
	"popvault/bearer"
	"popvault/transport"
)

// ErrNoMailbox: the target mailbox does not exist, and Create was not set.
var ErrNoMailbox = errors.New("restore: no such mailbox")

// Target is the mailbox messages are copied into.
type Target struct {
	Host     string
	Port     int                // 0: 993 with TLS, 143 otherwise
	Security transport.Security // "" means TLS; STARTTLS never falls back
	CAFile   string             // an extra trusted CA (PEM), for self-hosted servers
	User     string
	Mailbox  string
}

func (t Target) withDefaults() Target {
	if t.Security == "" {
		t.Security = transport.SecurityTLS
	}
	if t.Port == 0 {
		t.Port = transport.IMAP.DefaultPort(t.Security)
	}
	if t.Mailbox == "" {
		t.Mailbox = "INBOX"
	}
	return t
}

// Key names the target in the archive's records. Run keys them by the
// mailbox's name as the server spells it (see Run), which is Mailbox
// itself where the server separates levels with "/" and has no namespace
// prefix (Gmail, Fastmail, Cyrus 3).
func (t Target) Key() string {
	t = t.withDefaults()
	return "imap://" + t.User + "@" + net.JoinHostPort(strings.ToLower(t.Host), strconv.Itoa(t.Port)) + "/" + t.Mailbox
}

func (t Target) String() string {
	t = t.withDefaults()
	return fmt.Sprintf("%s on %s", t.Mailbox, t.Host)
}

// Credentials sign in to the target: a password, or an OAuth access token.
type Credentials struct {
	Password string
	// Token gives access tokens; a bearer.Renewed one after the server
	// refused the last.
	Token bearer.TokenSource
}

// Options configure Run.
type Options struct {
	Target      Target
	Credentials Credentials
	// Create makes the mailbox when it does not exist.
	Create bool
	// Connections is how many connections send at once; 0 means 4 where
	// the server takes MULTIAPPEND (more only wait on each other for the
	// mailbox) and 8 where it does not. Where the server allows fewer,
	// Run goes on with those it has.
	Connections int
	// Timeout is how long a server may stay silent; 0 means 60 s.
	Timeout time.Duration
	// RootCAs, when set, are trusted besides the system's (tests, demo).
	RootCAs *x509.CertPool
	// Progress, when set, is called as messages are done or fail, from
	// Run's goroutine.
	Progress func(Progress)
	// Look is how the copies look in the mailbox; the zero value is
	// AsArchived.
	Look Look
	// Feed, when set, gives more messages to copy after ids, as they
	// become ready (a fetch's commits, as they land): the run keeps its
	// connections open and sends what each call returns, as it would
	// have sent them among ids, until a call returns none. A call may
	// block, and must return none once ctx ends; it is made from one of
	// the run's goroutines at a time. Messages the records hold as
	// copied already, or that were given before, are not sent again.
	Feed func(ctx context.Context) []uint64
}

// Look is how a copy looks in the target mailbox. The bytes are the
// stored bytes either way.
type Look int

const (
	// AsArchived: read where the archive says read, and dated when the
	// message was sent (its Date header, where sane and earlier than its
	// arrival): a restore puts the mailbox back as it was.
	AsArchived Look = iota
	// AsNewMail: unread, and dated when popvault fetched it, so that it
	// sorts as it arrived: a delivery makes it look like new mail.
	AsNewMail
)

// Progress counts a run's messages so far.
type Progress struct {
	Done, Failed, Total int
}

// Failure is a message that is not on the server after this run.
type Failure struct {
	ID      uint64
	Subject string
	Reason  string
}

// Summary says what a run did.
type Summary struct {
	Target  string
	Total   int // messages asked for
	Sent    int // appended by this run
	Already int // on the server before this run (recorded, or found there)
	// Unconfirmed were sent when the connection was lost, before the
	// server answered: the next run asks the server about them.
	Unconfirmed int
	Failed      []Failure
	// OnServer are the messages asked for that the server holds after
	// this run, by the server's word: sent now and confirmed, or there
	// before.
	OnServer []uint64
	// Restarted: the mailbox's UIDVALIDITY changed since the last restore
	// into it (it was deleted and made again), so the record of what was
	// sent there was dropped and this run started over.
	Restarted bool
	Created   bool // the mailbox was made by this run
	// Gone were recorded as restored by an earlier run and are no longer
	// in the mailbox (emptied, or a Gmail label taken off): this run
	// sent them again, and counts them in Sent or Failed.
	Gone int
	// Unopened counts connections the run asked for and could not open
	// (a server's limit per user, say); UnopenedWhy is the last one's
	// error. The run went on with those it had.
	Unopened    int
	UnopenedWhy string
}

// Complete reports whether every message asked for is on the server.
func (s *Summary) Complete() bool {
	return s.Sent+s.Already == s.Total && len(s.Failed) == 0 && s.Unconfirmed == 0
}

func (s *Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d messages are in %s", s.Sent+s.Already, s.Total, s.Target)
	if s.Already > 0 {
		fmt.Fprintf(&b, " (%d sent now, %d there before)", s.Sent, s.Already)
	}
	if s.Gone > 0 {
		fmt.Fprintf(&b, "; %d restored before were no longer there and were sent again", s.Gone)
	}
	if s.Unconfirmed > 0 {
		fmt.Fprintf(&b, "; %d sent but not confirmed (checked on the next run)", s.Unconfirmed)
	}
	if len(s.Failed) > 0 {
		fmt.Fprintf(&b, "; %d missing", len(s.Failed))
	}
	if s.Unopened == 1 {
		fmt.Fprintf(&b, "; 1 connection could not be opened (%s)", s.UnopenedWhy)
	} else if s.Unopened > 1 {
		fmt.Fprintf(&b, "; %d connections could not be opened (the last: %s)", s.Unopened, s.UnopenedWhy)
	}
	return b.String()
}

// Run copies the messages ids into the target and returns what it did.
// The mailbox's name is written the server's way: "/" between levels
// becomes its separator, and a name in none of its namespaces gets its
// personal prefix ("Archive/2019" is "INBOX.Archive.2019" on Courier).
// The summary is filled in as far as the run got, also when it returns
// an error; a run that leaves any message missing is not Complete.
func Run(ctx context.Context, a *archive.Archive, ids []uint64, opts Options) (*Summary, error) {
	opts.Target = opts.Target.withDefaults()
	if opts.Timeout <= 0 {
		opts.Timeout = 60 * time.Second
	}
	r := &run{a: a, opts: opts, sum: &Summary{Target: opts.Target.String(), Total: len(ids)}}
	err := r.run(ctx, dedupe(ids))
	if errors.Is(err, context.Canceled) && r.sum.Complete() {
		err = nil // cancelled as the last answers came: nothing is missing
	}
	return r.sum, err
}

// dedupe drops repeated ids and sorts them, oldest stored first, so that
// the mailbox's UIDs follow the archive's order.
func dedupe(ids []uint64) []uint64 {
	seen := make(map[uint64]bool, len(ids))
	out := make([]uint64, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	sortIDs(out)
	return out
}
