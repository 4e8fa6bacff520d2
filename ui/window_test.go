package ui

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"popvault/archive"
	"popvault/fetch"
	"popvault/fetch/pop3test"
)

// Closing the window hides it into the tray only where a tray shows and
// checks are on; otherwise it quits, so the app never runs on unseen with
// the archive locked.
func TestCloseWindow(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	for _, tt := range []struct {
		tray, checks, quits bool
	}{
		{tray: false, checks: true, quits: true},
		{tray: false, checks: false, quits: true},
		{tray: true, checks: false, quits: true},
		{tray: true, checks: true, quits: false},
	} {
		quit := false
		ui(func() {
			u.quit = func() { quit = true }
			u.tray = tt.tray
			u.accounts = []fetch.Account{{Name: "a"}}
			if tt.checks {
				u.accounts[0].CheckEveryMinutes = 15
			}
			u.closeWindow()
		})
		if quit != tt.quits {
			t.Errorf("tray %v, checks %v: quit %v", tt.tray, tt.checks, quit)
		}
	}
}

// The first page never overwrites rows the loader appended after it:
// however late the first page is shown, the list ends up whole.
func TestFirstPageThenTheRest(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	const n = firstPage + 2*laterPages + 7
	var batch []archive.Incoming
	for i := range n {
		raw := "Subject: m" + strconv.Itoa(i) + "\r\nDate: Mon, 2 Jan 2023 10:00:00 +0000\r\n\r\nx\r\n"
		batch = append(batch, archive.Incoming{Account: "a", UID: strconv.Itoa(i), Raw: []byte(raw)})
	}
	if _, err := u.arch.Store(batch); err != nil {
		t.Fatal(err)
	}
	// The first page is shown late: the rest has long been read by then.
	u.list.beforeFirstPage = func() { time.Sleep(300 * time.Millisecond) }
	ui(u.list.reload)
	eventually(t, "every message listed", func() bool { return len(u.list.items) == n })
	time.Sleep(500 * time.Millisecond)
	seen := map[uint64]bool{}
	ui(func() {
		for _, r := range u.list.items {
			if seen[r.id] {
				t.Errorf("message %d listed twice", r.id)
			}
			seen[r.id] = true
		}
	})
	if len(seen) != n {
		t.Fatalf("%d listed, want %d", len(seen), n)
	}
}

type closeFails struct{ io.Writer }

func (closeFails) Close() error { return errors.New("disk full on close") }

// A save whose close fails says so; a damaged attachment is saved as far
// as it decodes and says that too.
func TestSavingTellsWhatWentWrong(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	damaged := "Subject: broken\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n" +
		"--b\r\nContent-Type: application/pdf; name=x.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29y!!!!bGQ=\r\n--b--\r\n"
	st, err := u.arch.Store([]archive.Incoming{{Account: "a", UID: "1", Raw: []byte(damaged)}})
	if err != nil {
		t.Fatal(err)
	}
	id := st[0].ID
	var sink strings.Builder
	if err := u.reader.writeEML(id, closeFails{&sink}); err == nil || !strings.Contains(err.Error(), "disk full on close") {
		t.Fatalf("a failed close while saving .eml: %v", err)
	}
	v, _ := u.arch.View(id)
	sink.Reset()
	err = u.reader.writeAttachment(id, v.Attachments[0].Index, nopCloser{&sink})
	if !errors.Is(err, archive.ErrDamaged) || !strings.HasPrefix(sink.String(), "hello wor") {
		t.Fatalf("a damaged attachment: %v, saved %q", err, sink.String())
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// A fetch long enough to span many paints, with the window open: under
// -race, a widget that progress, commits or results touch off the UI
// goroutine races with the paints (see TestMain) and fails the test.
func TestFetchWithWindowOpen(t *testing.T) {
	msgs := make([]pop3test.Message, 400)
	for i := range msgs {
		msgs[i] = pop3test.Message{UID: strconv.Itoa(i), Data: []byte("Subject: m" + strconv.Itoa(i) + "\r\n\r\n" + strings.Repeat("body ", 200) + "\r\n")}
	}
	s := pop3test.NewTLSServer(pop3test.Config{Messages: msgs})
	defer s.Close()
	u, _ := newTestUI(t, s)
	addAccount(t, u, s, "Home", "secret")
	ui(u.fetchNow)
	eventually(t, "400 messages listed", func() bool { return len(u.list.items) == 400 && u.counts["Home"].Total == 400 })
}

// Editing an account in the window keeps what it has fetched: nothing
// downloads again.
func TestEditKeepsWhatWasFetched(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: testMail})
	defer s.Close()
	u, w := newTestUI(t, s)
	addAccount(t, u, s, "Home", "secret")
	ui(u.fetchNow)
	eventually(t, "3 fetched", func() bool { return u.counts["Home"].Total == 3 })
	ui(func() {
		f := u.showAccountDialog(&u.accounts[0])
		f.check.SetSelected("Every 15 minutes")
	})
	tap(t, w, "Save")
	eventually(t, "the edit saved", func() bool { return len(u.accounts) == 1 && u.accounts[0].CheckEveryMinutes == 15 })
	if uids, _ := u.arch.Account("Home").UIDs(); len(uids) != 3 {
		t.Fatalf("%d UIDs remembered after the edit", len(uids))
	}
	retr := s.Count("RETR")
	ui(u.fetchNow)
	eventually(t, "a fetch after the edit", func() bool { return s.Count("QUIT") == 2 })
	if s.Count("RETR") != retr {
		t.Fatal("the edit made mail download again")
	}
	if pw, _ := u.secrets.Get("Home"); pw != "secret" {
		t.Fatalf("the password after an edit that did not change it: %q", pw)
	}
}
