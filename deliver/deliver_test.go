package deliver

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"popvault/fetch"
	"popvault/fetch/pop3test/dovecot"
	"popvault/restore/imaptest"
	"popvault/transport"
)

// TestModes: in each mode every message fetched is archived and in the
// target once, unread, dated when fetched; the source keeps or loses it as
// the mode says, and only once it is delivered; a fetch with nothing new
// makes no connection to the target.
func TestModes(t *testing.T) {
	for name, c := range map[string]struct {
		mode      mode
		left      int // on the source after the first fetch
		leftLater int // after a fetch four days on
	}{
		"keep":              {keepMode, 30, 30},
		"delete":            {deleteMode, 0, 0},
		"delete after days": {deleteAfterDaysMode, 30, 0},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, dovecot.Options{}, c.mode, corpus(30, 1)...)
			g := e.throughGate(t)
			r := e.fetch(t)
			if r.Failed() || r.New != 30 || r.Delivered != 30 || r.Waiting != 0 {
				t.Fatalf("first fetch: %+v", r)
			}
			e.onceEach(t, 30)
			if n := e.onSource(t); n != c.left {
				t.Errorf("%d on the source after the first fetch, want %d", n, c.left)
			}
			logins := g.accepted.Load()
			if logins == 0 {
				t.Fatal("no connection to the target went through the gate")
			}
			e.f.Now = func() time.Time { return time.Now().Add(4 * 24 * time.Hour) }
			if r := e.fetch(t); r.Failed() || r.New != 0 || r.Delivered != 0 {
				t.Fatalf("second fetch: %+v", r)
			}
			if n := g.accepted.Load(); n != logins {
				t.Errorf("a fetch with nothing to deliver connected to the target %d times", n-logins)
			}
			if n := e.onSource(t); n != c.leftLater {
				t.Errorf("%d on the source four days on, want %d", n, c.leftLater)
			}
			e.onceEach(t, 30)
		})
	}
}

// TestTargetDown: a target that refuses connections for three fetches
// leaves the mail on the source and says so; once it is back everything
// is delivered once and the source emptied.
func TestTargetDown(t *testing.T) {
	e := newEnv(t, dovecot.Options{}, deleteMode)
	g := e.throughGate(t)
	g.shut()
	all := corpus(40, 2)
	for cycle := range 3 {
		if err := e.d.Deliver(all[cycle*10 : cycle*10+10]...); err != nil {
			t.Fatal(err)
		}
		r := e.fetch(t)
		if r.Err != nil || r.New != 10 || r.Delivered != 0 || r.Waiting != 10*(cycle+1) || r.DeliveryErr == nil {
			t.Fatalf("cycle %d: %+v", cycle, r)
		}
		if !strings.Contains(r.DeliveryErr.Error(), "the next fetch tries again") {
			t.Errorf("cycle %d says %q", cycle, r.DeliveryErr)
		}
		if n := e.onSource(t); n != 10*(cycle+1) {
			t.Fatalf("cycle %d: %d on the source, want %d", cycle, n, 10*(cycle+1))
		}
	}
	g.open()
	if err := e.d.Deliver(all[30:]...); err != nil {
		t.Fatal(err)
	}
	if r := e.fetch(t); r.Failed() || r.New != 10 || r.Delivered != 40 || r.Waiting != 0 {
		t.Fatalf("back: %+v", r)
	}
	e.onceEach(t, 40)
	if n := e.onSource(t); n != 0 {
		t.Errorf("%d left on the source", n)
	}
}

// TestQuota: a target over its quota halfway takes what fits; the rest
// stays on the source, and goes once the quota is raised.
func TestQuota(t *testing.T) {
	msgs := corpus(40, 3)
	total, largest := 0, 0
	for _, m := range msgs {
		total += len(m)
		largest = max(largest, len(m))
	}
	// Half of what the others need: the corpus has one message as large
	// as all the rest.
	e := newEnv(t, dovecot.Options{QuotaKiB: int64((total - largest) / 2 / 1024)}, deleteMode, msgs...)
	r := e.fetch(t)
	t.Logf("over quota: %d delivered, %d waiting: %v", r.Delivered, r.Waiting, r.DeliveryErr)
	if r.Err != nil || r.New != 40 || r.Delivered < 5 || r.Waiting < 5 || r.Delivered+r.Waiting != 40 {
		t.Fatalf("over quota: %+v", r)
	}
	if r.DeliveryErr == nil || !strings.Contains(r.DeliveryErr.Error(), "over its quota") {
		t.Errorf("the account says %v", r.DeliveryErr)
	}
	if n := e.onSource(t); n != r.Waiting {
		t.Errorf("%d on the source, want the %d waiting", n, r.Waiting)
	}
	if err := e.d.SetQuota(0); err != nil {
		t.Fatal(err)
	}
	waiting := r.Waiting
	if r := e.fetch(t); r.Failed() || r.Delivered != waiting || r.Waiting != 0 {
		t.Fatalf("quota raised: %+v", r)
	}
	e.onceEach(t, 40)
	if n := e.onSource(t); n != 0 {
		t.Errorf("%d left on the source", n)
	}
}

// TestRevoked: a target whose password no longer works keeps the mail on
// the source; a new password delivers it.
func TestRevoked(t *testing.T) {
	e := newEnv(t, dovecot.Options{}, deleteMode, corpus(10, 4)...)
	old := e.d.Password2
	if err := e.d.SetPassword2("revoked-" + old); err != nil {
		t.Fatal(err)
	}
	r := e.fetch(t)
	if r.Err != nil || r.New != 10 || r.Waiting != 10 || r.DeliveryErr == nil {
		t.Fatalf("revoked: %+v", r)
	}
	if n := e.onSource(t); n != 10 {
		t.Errorf("%d on the source, want 10", n)
	}
	if len(e.slept) != 0 {
		t.Errorf("a refused sign-in was waited for as throttling: %v", e.slept)
	}
	if err := SetPassword(e.mem, e.acct, e.d.Password2); err != nil {
		t.Fatal(err)
	}
	if r := e.fetch(t); r.Failed() || r.Delivered != 10 {
		t.Fatalf("signed in again: %+v", r)
	}
	e.onceEach(t, 10)
	if n := e.onSource(t); n != 0 {
		t.Errorf("%d left on the source", n)
	}
}

// TestTooLarge: a message the target refuses for its size is named, and
// the fetch fails, the once it happens; from then on it stays on the
// source, is not sent again, does not hold back the others, and is an
// account's standing note rather than a failure of every fetch.
func TestTooLarge(t *testing.T) {
	big := []byte("From: a@example.com\r\nTo: b@example.com\r\nSubject: the big one\r\nMessage-ID: <big@example.com>\r\n\r\n" +
		strings.Repeat(strings.Repeat("x", 76)+"\r\n", 3000))
	msgs := append(corpus(10, 5), big)
	e := newEnv(t, dovecot.Options{MaxMailKiB: 150}, deleteMode, msgs...)
	g := e.throughGate(t)
	r := e.fetch(t)
	if r.Err != nil || r.Waiting != 0 || r.Refused != 1 || !errors.Is(r.DeliveryErr, ErrRefused) || !strings.Contains(r.DeliveryErr.Error(), "the big one") {
		t.Fatalf("the fetch it is refused: %+v", r)
	}
	t.Logf("said once: %v", r.DeliveryErr)
	logins := g.accepted.Load()
	for cycle := range 2 {
		if n := e.onSource(t); n != 1 {
			t.Errorf("cycle %d: %d on the source, want the big one", cycle, n)
		}
		r := e.fetch(t)
		if r.Failed() || r.Waiting != 0 || r.Refused != 1 || !strings.Contains(r.DeliveryNote, `"the big one"`) || !strings.Contains(r.DeliveryNote, "kept on the POP server") {
			t.Fatalf("cycle %d, a later fetch: %+v", cycle, r)
		}
		if g.accepted.Load() != logins {
			t.Error("a message refused for good was sent again")
		}
	}
	if n, err := Note(e.a, e.acct); err != nil || n != r.DeliveryNote {
		t.Errorf("the account's note without a fetch: %q (%v), want %q", n, err, r.DeliveryNote)
	}
	if got := len(e.target(t)); got != 10 {
		t.Errorf("the target holds %d, want the 10 that fit", got)
	}
}

// TestThrottled: a target that refuses uploads for rate ("[THROTTLED]",
// as Gmail does) is waited for, and the delivery resumes in the same
// fetch.
func TestThrottled(t *testing.T) {
	e := newEnv(t, dovecot.Options{}, deleteMode, corpus(20, 6)...)
	s := imaptest.Start(t, imaptest.Options{ThrottleAfter: 5, Throttle: 4})
	e.acct.Deliver = &fetch.Delivery{Host: "127.0.0.1", Port: s.Port, Security: transport.SecurityPlain, User: s.User, Mailbox: "INBOX", Since: e.acct.Deliver.Since}
	if err := SetPassword(e.mem, e.acct, s.Password); err != nil {
		t.Fatal(err)
	}
	r := e.fetch(t)
	if r.Failed() || r.Delivered != 20 || r.Waiting != 0 {
		t.Fatalf("%+v", r)
	}
	if len(e.slept) == 0 {
		t.Error("the service never waited for the throttled target")
	}
	got, err := s.Messages("INBOX")
	if err != nil || len(got) != 20 {
		t.Fatalf("the target holds %d messages, want 20 (%v)", len(got), err)
	}
	if n := e.onSource(t); n != 0 {
		t.Errorf("%d left on the source", n)
	}
}

// TestTurnedOnLater: delivery turned on for an account with an archive
// delivers only new mail; asked to, it then puts what was archived there
// too, each message once whichever path sent it.
func TestTurnedOnLater(t *testing.T) {
	e := newEnv(t, dovecot.Options{}, keepMode, corpus(10, 7)...)
	target := e.acct.Deliver
	e.acct.Deliver = nil
	if r := e.fetch(t); r.Failed() || r.New != 10 {
		t.Fatalf("before delivery: %+v", r)
	}
	later := time.Now().Add(2 * time.Second)
	target.Since = later
	e.acct.Deliver = target
	e.f.Now = func() time.Time { return later }
	if err := e.d.Deliver(corpus(15, 8)[10:]...); err != nil {
		t.Fatal(err)
	}
	if r := e.fetch(t); r.Failed() || r.New != 5 || r.Delivered != 5 {
		t.Fatalf("new only: %+v", r)
	}
	if got := len(e.target(t)); got != 5 {
		t.Fatalf("the target holds %d, want the 5 new", got)
	}
	done, total, err := e.svc.Backlog(context.Background(), e.acct)
	if err != nil || done != 15 || total != 15 {
		t.Fatalf("also archived: %d of %d: %v", done, total, err)
	}
	if r := e.fetch(t); r.Failed() || r.Delivered != 0 {
		t.Fatalf("after: %+v", r)
	}
	if got := len(e.target(t)); got != 15 {
		t.Errorf("the target holds %d, want 15", got)
	}
}

// TestDeleteAfterDaysTurnedOn: delivery turned on, in delete-after-days
// mode, for an account whose older mail is still on the server. Mail
// left out on purpose ("only new") leaves the source when its days are
// up, as before; once "also what is archived" is asked for, the older
// mail stays on the source until it is delivered, even while the target
// is down past its days, and then leaves it.
func TestDeleteAfterDaysTurnedOn(t *testing.T) {
	for _, c := range []struct {
		name      string
		also      bool
		heldLater int // on the source four days on, with the target down
	}{
		{name: "only new", heldLater: 0},
		{name: "also archived", also: true, heldLater: 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, dovecot.Options{}, deleteAfterDaysMode, corpus(10, 9)...)
			g := e.throughGate(t)
			target := e.acct.Deliver
			e.acct.Deliver = nil
			if r := e.fetch(t); r.Failed() || r.New != 10 {
				t.Fatalf("before delivery: %+v", r)
			}
			later := time.Now().Add(2 * time.Second)
			target.Since = later
			e.acct.Deliver = target
			e.f.Now = func() time.Time { return later }
			if err := e.d.Deliver(corpus(15, 10)[10:]...); err != nil {
				t.Fatal(err)
			}
			if r := e.fetch(t); r.Failed() || r.New != 5 || r.Delivered != 5 || r.Waiting != 0 {
				t.Fatalf("new only: %+v", r)
			}
			g.shut()
			if c.also {
				if _, _, err := e.svc.Backlog(context.Background(), e.acct); err == nil {
					t.Fatal("a backlog into a target that is down did not fail")
				}
			}
			e.f.Now = func() time.Time { return later.Add(4 * 24 * time.Hour) }
			r := e.fetch(t)
			if r.Err != nil || r.Waiting != c.heldLater || (c.heldLater > 0) != (r.DeliveryErr != nil) {
				t.Fatalf("four days on, the target down: %+v", r)
			}
			if n := e.onSource(t); n != c.heldLater {
				t.Fatalf("four days on, the target down: %d on the source, want %d", n, c.heldLater)
			}
			g.open()
			r = e.fetch(t)
			if r.Failed() || r.Waiting != 0 || r.Delivered != c.heldLater {
				t.Fatalf("four days on, the target back: %+v", r)
			}
			if n := e.onSource(t); n != 0 {
				t.Errorf("%d left on the source", n)
			}
			if got := len(e.target(t)); got != 5+c.heldLater {
				t.Errorf("the target holds %d, want %d", got, 5+c.heldLater)
			}
		})
	}
}
