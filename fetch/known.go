package fetch

import (
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"syscall"
	"time"

	"popvault/fetch/pop3"
)

// What a session learns of a server for the next one: the capabilities
// it announced before login over TLS, which let the next check send its
// login with the TLS handshake instead of after the greeting and a CAPA
// (pop3's Options.Known), two round trips sooner. They are kept in the
// archive beside the account's settings (not among them: no dialog
// shows or writes them), with where they were learnt, so that an
// account moved to another server or security starts again by asking.

// knownServer is the stored form.
type knownServer struct {
	Host     string            `json:"host"`
	Port     int               `json:"port"`
	Security Security          `json:"security"`
	Caps     pop3.Capabilities `json:"caps,omitempty"`
	// LongWayUntil is set when a session that went by Caps failed in a
	// way they may explain (see surprised): until then sessions go the
	// long way and learn nothing, so that a server that will not take a
	// login before its greeting does not cost every check a failed try.
	LongWayUntil time.Time `json:"long_way_until,omitzero"`
}

// longWayFor is how long an account goes the long way after a surprise.
const longWayFor = 7 * 24 * time.Hour

// known returns what an earlier session learnt of acct's server, or nil
// when nothing was, it was learnt elsewhere, or sessions go the long way
// for now (hold). Failing to read it costs round trips, never a fetch.
func (f *Fetcher) known(acct Account) (caps pop3.Capabilities, hold bool) {
	b, err := f.Archive.Account(acct.Name).Server()
	if err != nil || b == nil {
		return nil, false
	}
	var k knownServer
	if json.Unmarshal(b, &k) != nil || k.Host != acct.Host || k.Port != acct.Port || k.Security != acct.Security {
		return nil, false
	}
	if f.now().Before(k.LongWayUntil) {
		return nil, true
	}
	return k.Caps, false
}

// learn keeps what session c learnt before its login for the next
// check, when it differs from what was known: a commit on a first check
// or after the server changed, none on the checks between.
func (f *Fetcher) learn(acct Account, c *pop3.Client, known pop3.Capabilities) {
	caps := c.CapsBeforeLogin()
	if caps == nil || sameCaps(caps, known) {
		return
	}
	f.keep(acct, knownServer{Caps: caps})
}

// forget drops what was known of acct's server, after a session that
// went by it failed, and sends the account's sessions the long way for
// a while.
func (f *Fetcher) forget(acct Account) {
	f.keep(acct, knownServer{LongWayUntil: f.now().Add(longWayFor)})
}

func (f *Fetcher) keep(acct Account, k knownServer) {
	k.Host, k.Port, k.Security = acct.Host, acct.Port, acct.Security
	if b, err := json.Marshal(k); err == nil {
		f.Archive.Account(acct.Name).PutServer(b)
	}
}

func sameCaps(a, b pop3.Capabilities) bool {
	return b != nil && maps.EqualFunc(a, b, slices.Equal)
}

// surprised reports whether a login that went by what was known failed
// in a way that what was known may explain: the server closed the
// connection, answered out of step, or stopped answering. A refusal in
// words (a wrong password, a locked maildrop) would come the long way
// too, and a cancelled fetch is no surprise.
func surprised(err error) bool {
	var perr *pop3.Error
	if err == nil || errors.As(err, &perr) {
		return false
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || connReset(err) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, pop3.ErrProtocol) || errors.Is(err, pop3.ErrTimeout)
}
