// Package pop3test runs a POP3 server in memory for tests, in the manner of
// net/http/httptest: [NewServer] and [NewTLSServer] listen on 127.0.0.1:0,
// [Server.Close] stops them and waits for their sessions.
//
// The server holds one maildrop, speaks RFC 1939 with CAPA, UIDL, TOP,
// PIPELINING, STLS, APOP, UTF8 (RFC 6856) and SASL PLAIN, XOAUTH2 and
// OAUTHBEARER (with the error challenge for a refused token), locks the
// maildrop per session ([IN-USE]) and deletes only on a successful QUIT.
// Options make it behave as real servers do that a client must still
// serve: Courier's login hand-off and its notice in place of UTF-8 mail,
// Gmail's sessions, Office 365's refusal of a SASL initial response. Its
// [Faults] make it misbehave on purpose: drop or stall a reply, inject
// bytes after STLS, answer with chosen lines, lie about sizes, fail a QUIT
// half-way, drop a client that talks before the greeting.
package pop3test

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"slices"
	"sync"
)

// Message is one message of the maildrop.
type Message struct {
	UID  string
	Data []byte
}

// Config describes the server. The zero value serves an empty maildrop to
// alice with password "secret".
type Config struct {
	User, Password string // default "alice", "secret"
	Messages       []Message

	Greeting       string   // the greeting's text after "+OK"; default "pop3test ready"
	RawGreeting    string   // when set, sent verbatim instead of "+OK "+Greeting
	APOP           bool     // put a timestamp in the greeting and accept APOP
	STLS           bool     // offer STLS on a plain server
	NoPipelining   bool     // do not announce PIPELINING
	NoUIDL         bool     // refuse UIDL and do not announce it
	NoCapa         bool     // refuse CAPA
	CapaAfterLogin bool     // announce PIPELINING, UIDL and TOP only after login, as Gmail does
	CertHosts      []string // names in the certificate; default 127.0.0.1 and localhost
	// Refusal is what a wrong password gets after "-ERR ", to play a real
	// server's words; default "[AUTH] invalid credentials".
	Refusal string
	// ValidToken, when set, says whether an XOAUTH2 or OAUTHBEARER token
	// is good now (an oauthtest server's Valid); else the token must be
	// Password.
	ValidToken func(token string) bool
	// TwoStepXOAuth2 refuses XOAUTH2 with an initial response, as Office
	// 365's POP does: the client must send AUTH, wait for "+", then the
	// response.
	TwoStepXOAuth2 bool
	// NoInitialResponse refuses XOAUTH2 and OAUTHBEARER with an initial
	// response in Office 365's words, "-ERR Protocol error. Connection is
	// closed.", and closes the connection.
	NoInitialResponse bool
	NoOAuthBearer     bool // offer XOAUTH2 only, as Gmail and Office 365 do
	// LoginHandoff behaves as Courier does, whose login process checks
	// the password and hands the connection to the mail process: what the
	// client sent after the command that logged it in, before the reply
	// to it was written, is lost.
	LoginHandoff bool
	// UTF8 announces UTF8 (RFC 6856) and, as Courier does, sends a session
	// that did not send UTF8 a "Cannot display Unicode content" notice,
	// with the message attached, instead of each message whose header holds
	// 8-bit bytes. LIST still counts the message's own size.
	UTF8 bool
	// Gmail behaves as Gmail's POP: a "Gpop" greeting, at most 250 messages
	// per session, none retrieved in an earlier session listed again, and
	// the user "recent:"+User listing everything.
	Gmail bool

	Faults Faults
}

// Server is a running test server.
type Server struct {
	Addr     string       // "127.0.0.1:port"
	Listener net.Listener // the listener, plain or TLS
	Config   Config

	cert     Certificate
	implicit bool

	mu        sync.Mutex
	box       []*Message
	retrieved map[*Message]bool
	locked    bool
	counts    map[string]int // commands received, by name
	sessions  int
	logins    int // since the faults were last set
	fired     int // faults that acted
	conns     map[net.Conn]struct{}
	ended     *sync.Cond // on mu: a session has ended
	closed    bool
	wg        sync.WaitGroup
}

// NewServer starts a plain server (STLS if cfg.STLS).
func NewServer(cfg Config) *Server {
	s := NewUnstartedServer(cfg)
	s.Start()
	return s
}

// NewTLSServer starts a server with implicit TLS, as on port 995.
func NewTLSServer(cfg Config) *Server {
	s := NewUnstartedServer(cfg)
	s.StartTLS()
	return s
}

// NewUnstartedServer listens on 127.0.0.1:0 but accepts nothing until
// Start or StartTLS.
func NewUnstartedServer(cfg Config) *Server {
	if cfg.User == "" {
		cfg.User, cfg.Password = "alice", "secret"
	}
	if cfg.Greeting == "" {
		cfg.Greeting = "pop3test ready"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("pop3test: listen: " + err.Error())
	}
	s := &Server{Addr: ln.Addr().String(), Listener: ln, Config: cfg,
		counts: map[string]int{}, conns: map[net.Conn]struct{}{}, retrieved: map[*Message]bool{}}
	s.ended = sync.NewCond(&s.mu)
	if cfg.Gmail && cfg.Greeting == "pop3test ready" {
		s.Config.Greeting = "Gpop ready for requests from 127.0.0.1"
	}
	for _, m := range cfg.Messages {
		m := m
		s.box = append(s.box, &m)
	}
	s.cert = NewCertificate(cfg.CertHosts...)
	return s
}

// Start accepts plain connections.
func (s *Server) Start() { go s.serve() }

// StartTLS accepts implicit-TLS connections.
func (s *Server) StartTLS() {
	s.implicit = true
	s.Listener = tls.NewListener(s.Listener, s.cert.Server)
	go s.serve()
}

// CertPool trusts the server's certificate, for the client's RootCAs.
func (s *Server) CertPool() *x509.CertPool { return s.cert.Pool }

// CertPEM is what a client trusts to trust the server, as a PEM file's
// contents (a CA file): the certificate, or the one that issued it.
func (s *Server) CertPEM() []byte { return s.cert.TrustPEM }

// ClientTLSConfig trusts the server's certificate.
func (s *Server) ClientTLSConfig() *tls.Config { return &tls.Config{RootCAs: s.cert.Pool} }

func (s *Server) serve() {
	for {
		conn, err := s.Listener.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			conn.Close()
			return
		}
		s.conns[conn] = struct{}{}
		s.sessions++
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			newSession(s, conn).run()
			conn.Close()
			s.mu.Lock()
			delete(s.conns, conn)
			s.ended.Broadcast()
			s.mu.Unlock()
		}()
	}
}

// Close stops listening, closes every session and waits for them.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.Listener.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// WaitSessions waits until every session the server accepted has ended
// and released the maildrop. The server sees a client's close, or a QUIT
// sent without waiting for its reply, a moment after the client is done:
// a test that logs in again after a session it ended waits here first, as
// a later run would find the maildrop free. Call it only when the client
// has closed its connections, or it waits for them.
func (s *Server) WaitSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.conns) > 0 {
		s.ended.Wait()
	}
}

// Messages returns what the maildrop holds now.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, len(s.box))
	for i, m := range s.box {
		out[i] = *m
	}
	return out
}

// Add appends messages to the maildrop; sessions already open do not see them.
func (s *Server) Add(msgs ...Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range msgs {
		m := m
		s.box = append(s.box, &m)
	}
}

// Remove deletes the messages with these UIDs from the maildrop, as
// another client would; sessions already open do not see it.
func (s *Server) Remove(uids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	kept := s.box[:0:0]
	for _, m := range s.box {
		if !slices.Contains(uids, m.UID) {
			kept = append(kept, m)
		}
	}
	s.box = kept
}

// Count returns how many times the command name was received.
func (s *Server) Count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[name]
}

// Sessions returns how many connections were accepted.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sessions
}

// Fired returns how many times a fault acted: a drop, stall or trickle
// triggered, a QUIT failed, a LIST lied, a reply was replaced. A test of
// a fault that never fired tests nothing.
func (s *Server) Fired() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fired
}

func (s *Server) fire() {
	s.mu.Lock()
	s.fired++
	s.mu.Unlock()
}

// InUse reports whether a session holds the maildrop's lock.
func (s *Server) InUse() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.locked
}

// SetFaults replaces the faults for sessions that start afterwards.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Config.Faults = f
	s.logins = 0
}
