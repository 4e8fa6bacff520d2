package fetch

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"popvault/fetch/pop3test"
)

// faultCases are the ways a server can fail a session: a drop at every
// command boundary and at several points inside RETR and DELE, a reset, a
// QUIT that deletes only some, and a stall.
func faultCases() map[string]pop3test.Faults {
	drop := func(cmd string, nth, after int) *pop3test.Trigger {
		return &pop3test.Trigger{Command: cmd, Nth: nth, AfterBytes: after}
	}
	cases := map[string]pop3test.Faults{
		"QUIT deletes 3 then fails": {QuitFails: true, QuitDeletes: 3},
		"stall in RETR 2":           {Stall: drop("RETR", 2, 50)},
		"LIST sizes too large":      {ListSizeDelta: 50 << 20},
		"LIST sizes too small":      {ListSizeDelta: -1000},
	}
	for _, d := range []*pop3test.Trigger{
		drop("greeting", 1, 0), drop("greeting", 1, 3), drop("USER", 1, 0), drop("PASS", 1, 2),
		drop("LIST", 1, 0), drop("LIST", 1, 9), drop("UIDL", 1, 0), drop("UIDL", 1, 20), drop("CAPA", 1, 0),
		drop("RETR", 1, 0), drop("RETR", 1, 5), drop("RETR", 3, 300), drop("RETR", 8, 2000),
		drop("RETR", 15, 100000), drop("RETR", 30, 10), drop("DELE", 1, 0), drop("DELE", 6, 3),
		drop("DELE", 30, 0), drop("QUIT", 1, 0),
	} {
		name := fmt.Sprintf("drop %s#%d after %d bytes", d.Command, d.Nth, d.AfterBytes)
		cases[name] = pop3test.Faults{Drop: d}
		cases[name+", reset"] = pop3test.Faults{Drop: d, Reset: true}
	}
	return cases
}

// TestFaults runs every fault in keep and delete mode, where it can act
// (keep mode sends no DELE); each must act, and then a clean fetch must
// leave archive ∪ server = original, with nothing stored twice.
func TestFaults(t *testing.T) {
	msgs := smallCorpus(30)
	runs, failed := 0, 0
	for name, faults := range faultCases() {
		for _, keep := range []bool{true, false} {
			if keep && faults.Drop != nil && faults.Drop.Command == "DELE" {
				continue // keep mode never deletes: the fault could not act
			}
			runs++
			t.Run(fmt.Sprintf("%s keep=%v", name, keep), func(t *testing.T) {
				e := newEnv(t, pop3test.Config{Messages: msgs, Faults: faults}, keep)
				if faults.Stall != nil {
					// Only a stall waits for the timeout; every other
					// fault ends the session at once, and a short
					// timeout there would fail slow dials on a busy
					// machine instead of the fault.
					e.acct.Timeout = Duration(2 * time.Second)
				}
				first := e.fetch()
				if e.server.Fired() == 0 {
					t.Fatalf("the fault never acted (the first fetch: %v)", first.Err)
				}
				if lies := faults.ListSizeDelta != 0; !lies && first.Err == nil {
					t.Fatalf("the fault acted, yet the first fetch succeeded: %+v", first)
				}
				if first.Err != nil && (strings.ContainsAny(first.Err.Error(), "\x00\x1b\r\n") || len(first.Err.Error()) > 300) {
					t.Errorf("unreadable error: %q", first.Err)
				}
				e.check()
				e.server.SetFaults(pop3test.Faults{})
				e.acct.Timeout = 0 // e.fetch waited for the faulty session to let go
				if r := e.fetch(); r.Err != nil {
					t.Fatalf("clean fetch after %v: %v", first.Err, r.Err)
				}
				archived, onServer := e.check()
				if archived != len(msgs) || keep && onServer != len(msgs) || !keep && onServer != 0 {
					t.Fatalf("after %v: archived %d, on server %d", first.Err, archived, onServer)
				}
				if first.Err != nil {
					failed++
				}
			})
		}
	}
	t.Logf("%d runs of %d faults, each acting; %d failed the first fetch as injected", runs, len(faultCases()), failed)
}
