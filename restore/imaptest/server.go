// Package imaptest serves IMAP (RFC 3501) on loopback for restore's
// tests, with the habits of real servers that popvault must live with and
// that Dovecot does not have: Courier's "." hierarchy separator under an
// "INBOX." namespace, its refusal to APPEND into the mailbox a session
// examined read-only, its bare "Invalid mailbox name.", uploads of a
// connection that died landing after the client is gone, and a limit on
// connections per user. It is go-imap's imapserver and in-memory backend,
// with a session of its own in front that adds those habits.
//
// Dovecot (fetch/pop3test/dovecot) stays the server the rest of restore is
// tested against; this one is for what only other servers do.
package imaptest

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// Options say which habits the server has. The zero value is a plain
// IMAP4rev1 server with UIDPLUS and NAMESPACE, "/" between levels and no
// namespace prefix.
type Options struct {
	// Delim separates a mailbox name's levels; 0 means "/".
	Delim rune
	// Prefix is the personal namespace's prefix: every mailbox but INBOX
	// is under it (Courier: "INBOX."), and names outside it are refused.
	Prefix string
	// ExamineBlocksAppend: while a session has a mailbox selected with
	// EXAMINE, an APPEND into that mailbox is refused, until UNSELECT or
	// CLOSE ("NO Current box is selected READ-ONLY.", as Courier says).
	ExamineBlocksAppend bool
	// HideCaps are capabilities not announced. go-imap's server always
	// announces UNSELECT, which Courier does not.
	HideCaps []imap.Cap
	// MaxConnections, when set, refuses a login while that many sessions
	// are signed in, as a server's limit per user does.
	MaxConnections int
	// ThrottleAfter and Throttle: after ThrottleAfter APPENDs stored, the
	// next Throttle are refused as Gmail refuses when it rate-limits
	// uploads ("NO [THROTTLED]"); later ones are stored again.
	ThrottleAfter, Throttle int
}

// Courier has the habits of Courier-IMAP that matter to a restore.
func Courier() Options {
	return Options{Delim: '.', Prefix: "INBOX.", ExamineBlocksAppend: true, HideCaps: []imap.Cap{imap.CapUnselect}}
}

// Server is a running server with one user, who has an INBOX.
type Server struct {
	Port           int
	User, Password string

	opts Options
	ln   net.Listener
	srv  *imapserver.Server
	user *imapmemserver.User

	mu        sync.Mutex
	mailboxes []string // as the server spells them
	lingering []lingering
	sessions  int
	appends   int // APPEND commands answered
}

// lingering is an upload of a connection that died, not stored yet.
type lingering struct {
	mailbox string
	raw     []byte
}

// Start starts a server on 127.0.0.1 and stops it when the test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	if opts.Delim == 0 {
		opts.Delim = '/'
	}
	s := &Server{User: "bob", Password: "imaptest-password", opts: opts}
	s.user = imapmemserver.NewUser(s.User, s.Password)
	if err := s.user.Create("INBOX", nil); err != nil {
		tb.Fatal(err)
	}
	s.mailboxes = []string{"INBOX"}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.ln = &hidingListener{Listener: ln, hide: opts.HideCaps}
	s.Port = ln.Addr().(*net.TCPAddr).Port
	s.srv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &session{s: s}, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}, imap.CapNamespace: {}},
		InsecureAuth: true,
		Logger:       log.New(io.Discard, "", 0),
	})
	go s.srv.Serve(s.ln)
	tb.Cleanup(func() { s.srv.Close() })
	return s
}

// Addr is where the server listens, plain IMAP.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Linger queues messages as uploads into mailbox (as the server spells
// it) that a connection sent before it died, and that the server has not
// stored yet: each is stored by a call to Land, in order.
func (s *Server) Linger(mailbox string, msgs ...[]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		s.lingering = append(s.lingering, lingering{mailbox, m})
	}
}

// Land stores the next lingering upload, and reports whether there was
// one.
func (s *Server) Land() (bool, error) {
	s.mu.Lock()
	if len(s.lingering) == 0 {
		s.mu.Unlock()
		return false, nil
	}
	l := s.lingering[0]
	s.lingering = s.lingering[1:]
	s.mu.Unlock()
	return true, s.Deliver(l.mailbox, l.raw)
}

// Deliver stores a message into mailbox (as the server spells it), as
// mail arriving from elsewhere.
func (s *Server) Deliver(mailbox string, raw []byte) error {
	_, err := s.user.Append(mailbox, literal{bytes.NewReader(raw)}, &imap.AppendOptions{})
	return err
}

type literal struct{ *bytes.Reader }

func (l literal) Size() int64 { return l.Reader.Size() }

// Create makes a mailbox (as the server spells it).
func (s *Server) Create(mailbox string) error {
	if !s.valid(mailbox) {
		return errInvalidName
	}
	if err := s.user.Create(mailbox, nil); err != nil {
		return err
	}
	s.mu.Lock()
	s.mailboxes = append(s.mailboxes, mailbox)
	s.mu.Unlock()
	return nil
}

// UIDValidity is a mailbox's UIDVALIDITY.
func (s *Server) UIDValidity(mailbox string) (uint32, error) {
	st, err := s.user.Status(mailbox, &imap.StatusOptions{UIDValidity: true})
	if err != nil {
		return 0, err
	}
	return st.UIDValidity, nil
}

// Mailboxes lists the mailboxes, as the server spells them.
func (s *Server) Mailboxes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(slices.Values(s.mailboxes))
}

// Messages returns the bytes of every message in mailbox, in order, as
// FETCH BODY.PEEK[] gives them.
func (s *Server) Messages(mailbox string) ([][]byte, error) {
	c, err := imapclient.DialInsecure(s.Addr(), nil)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	if err := c.Login(s.User, s.Password).Wait(); err != nil {
		return nil, err
	}
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil || sel.NumMessages == 0 {
		return nil, err
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(msgs))
	for _, m := range msgs {
		if len(m.BodySection) != 1 {
			return nil, fmt.Errorf("imaptest: message %d came without its body", m.SeqNum)
		}
		out = append(out, m.BodySection[0].Bytes)
	}
	return out, nil
}

// errInvalidName is Courier's answer to a name it does not take: no
// response code, nothing said about what is wrong.
var errInvalidName = &imap.Error{Type: imap.StatusResponseTypeNo, Text: "Invalid mailbox name."}

// valid reports whether the server takes name: INBOX, or a name under
// the prefix with no empty level and, where "/" is not the separator, no
// "/".
func (s *Server) valid(name string) bool {
	if name == "INBOX" {
		return true
	}
	rest, ok := strings.CutPrefix(name, s.opts.Prefix)
	if !ok || rest == "" {
		return false
	}
	if s.opts.Delim != '/' && strings.ContainsRune(rest, '/') {
		return false
	}
	return !slices.Contains(strings.Split(rest, string(s.opts.Delim)), "")
}
