package restore

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"popvault/restore/imaptest"
	"popvault/transport"
)

// quickSettling makes resolve believe a mailbox at once, for tests where
// nothing lands late.
func quickSettling(t *testing.T) {
	t.Helper()
	saved := settling
	t.Cleanup(func() { settling = saved })
	settling.every, settling.quiet = time.Millisecond, time.Millisecond
}

// drive replaces pause, for one test, with f: each time resolve would
// wait, f is called instead, and time passes only as resolve counts it.
func drive(t *testing.T, f func() error) {
	t.Helper()
	saved := pause
	t.Cleanup(func() { pause = saved })
	pause = func(ctx context.Context, d time.Duration) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return f()
	}
}

// A server goes on storing the uploads of a connection that died, one
// after another, after the run that sent them was killed (Courier did for
// up to 4 s): the resumed run asks about the pending messages until the
// mailbox stands still, and sends again only what never arrives. Time
// here is resolve's own count of its waits; at each wait the server
// stores one more lingering upload, and in "never still" also receives a
// message of its own, for ever.
func TestRestoreLingeringUploads(t *testing.T) {
	for name, c := range map[string]struct {
		stored, lingering, lost int // pending: on the server, landing late, never arrived
		noise                   bool
	}{
		"stored and lost":           {3, 0, 2, false},
		"landing while asked":       {2, 5, 3, false},
		"all landing":               {0, 4, 0, false},
		"never still":               {1, 3, 2, true},
		"landing, nothing lost yet": {0, 6, 1, false},
	} {
		t.Run(name, func(t *testing.T) {
			s := imaptest.Start(t, imaptest.Courier())
			a := newArchive(t)
			n := c.stored + c.lingering + c.lost
			ids := fill(t, a, n, 40)
			const mailbox = "INBOX.Restored"
			if err := s.Create(mailbox); err != nil {
				t.Fatal(err)
			}
			for i, id := range ids[:c.stored+c.lingering] {
				raw, _ := a.Raw(id)
				if i < c.stored {
					if err := s.Deliver(mailbox, raw); err != nil {
						t.Fatal(err)
					}
				} else {
					s.Linger(mailbox, raw)
				}
			}
			opts := testOptions(s, "Restored")
			opts.Connections = 1
			key := Target{Host: "127.0.0.1", Port: s.Port, Security: transport.SecurityPlain, User: s.User, Mailbox: mailbox}.Key()
			markPending(t, a, s, key, mailbox, ids)

			most := int(settling.most / settling.every)
			waits, noise := 0, 0
			drive(t, func() error {
				if waits++; waits > 2*most {
					return errors.New("still asking, past the bound")
				}
				if c.noise {
					noise++
					if err := s.Deliver(mailbox, fmt.Appendf(nil, "Subject: noise %d\r\n\r\nnot ours\r\n", noise)); err != nil {
						return err
					}
				}
				_, err := s.Land()
				return err
			})
			sum, err := Run(context.Background(), a, ids, opts)
			if err != nil || !sum.Complete() {
				t.Fatalf("%v, %+v", err, sum)
			}
			// What had not landed by the end of the run lands now.
			for {
				landed, err := s.Land()
				if err != nil {
					t.Fatal(err)
				}
				if !landed {
					break
				}
			}
			once(t, a, s, mailbox, ids, noise)
			if sum.Already != c.stored+c.lingering || sum.Sent != c.lost {
				t.Errorf("%d there before and %d sent, want %d and %d", sum.Already, sum.Sent, c.stored+c.lingering, c.lost)
			}
			quiet := int(settling.quiet / settling.every)
			switch {
			case c.noise && waits != most:
				t.Errorf("a mailbox that never stands still was asked about %d times, want the bound, %d", waits, most)
			case !c.noise && c.stored+c.lingering < n && waits < c.lingering+quiet:
				t.Errorf("asked %d times: the mailbox stood still for less than %v", waits, settling.quiet)
			case !c.noise && c.stored+c.lingering == n && waits != c.lingering:
				t.Errorf("asked %d times after all was found, want %d", waits, c.lingering)
			}
		})
	}
}
