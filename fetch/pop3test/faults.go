package pop3test

import "time"

// Faults make the server misbehave. A Trigger picks which reply: the Nth
// (from 1; 0 means the first) reply to Command, counted per session.
type Faults struct {
	// Drop closes the connection after AfterBytes bytes of the chosen reply.
	Drop *Trigger
	// Reset makes Drop send a TCP reset instead of a clean close.
	Reset bool
	// Stall stops the chosen reply after AfterBytes bytes and holds the
	// connection open, silent, until StallFor passes (default: until Close).
	Stall    *Trigger
	StallFor time.Duration
	// Trickle sends the chosen reply one byte every TrickleEvery (default
	// a second): a server that is never silent for long, yet never done.
	Trickle      *Trigger
	TrickleEvery time.Duration
	// InjectAfterSTLS is sent in the same write as the +OK to STLS.
	InjectAfterSTLS []byte
	// Replies answer a command (upper case) with the given raw text,
	// CRLFs included, instead of its normal behaviour.
	Replies map[string]string
	// ListSizeDelta is added to every size in LIST and STAT; ListSizes
	// replaces the size LIST gives the messages with these UIDs.
	ListSizeDelta int64
	ListSizes     map[string]int64
	// QuitFails makes QUIT delete only the first QuitDeletes of the marked
	// messages and then answer -ERR [SYS/TEMP].
	QuitFails   bool
	QuitDeletes int
	// LoginCode makes PASS, APOP and AUTH fail with this response code,
	// e.g. "IN-USE", "LOGIN-DELAY" or "SYS/TEMP": every login, or those
	// after the first LoginCodeAfter since the faults were set.
	LoginCode      string
	LoginCodeAfter int
	// GreetingPause holds the greeting until the client has been silent
	// this long, and drops a client that sends anything first, as
	// servers that guard against scripted clients do.
	GreetingPause time.Duration
}

// Trigger names one reply.
type Trigger struct {
	Command    string
	Nth        int
	AfterBytes int
}

func (t *Trigger) matches(cmd string, nth int) bool {
	if t == nil || t.Command != cmd {
		return false
	}
	want := t.Nth
	if want == 0 {
		want = 1
	}
	return nth == want
}
