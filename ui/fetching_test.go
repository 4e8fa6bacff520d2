package ui

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/tools/latency"
)

// Fetch with All mail shown fetches both accounts at once, each with its
// own row of progress, and the rows go when their fetches end.
func TestFetchAccountsAtOnce(t *testing.T) {
	u := twoSlowAccounts(t, "secret", "secret")
	rows := func() (n int, shown bool) {
		ui(func() { n, shown = len(u.bar.row), u.bar.content.Visible() })
		return n, shown
	}
	ui(u.fetchNow)
	eventually(t, "a row for each account at once", func() bool { n, shown := rows(); return n == 2 && shown })
	eventually(t, "both accounts' mail", func() bool {
		var a, b int
		ui(func() { a, b = u.counts["Account 1"].Total, u.counts["Account 2"].Total })
		return a == 3 && b == 3
	})
	eventually(t, "the rows gone", func() bool { n, shown := rows(); return n == 0 && !shown })
}

// The status line after fetching accounts at once says how each went: a
// failure is not overwritten by the result that came after it. The next
// round starts it anew.
func TestFetchStatusNamesEveryAccount(t *testing.T) {
	u := twoSlowAccounts(t, "secret", "wrong")
	status := func() (s string) { ui(func() { s = u.status.Text }); return s }
	ui(u.fetchNow)
	eventually(t, "both results in the status line", func() bool {
		s := status()
		return strings.Contains(s, "Account 1: 3 new") && strings.Contains(s, "Account 2")
	})
	if s := status(); s != "Account 1: 3 new · Account 2 failed (its account says why)" {
		t.Fatalf("status %q: account 2's password is wrong", s)
	}
	var problem string
	ui(func() { problem = u.problems["Account 2"] })
	if problem != "Account 2 refused the password" {
		t.Fatalf("account 2's problem %q: the server's refusal in words", problem)
	}
	ui(func() { u.selected = "Account 1" })
	ui(u.fetchNow)
	eventually(t, "a new round's status", func() bool { return status() == "Account 1: 0 new, 0 deleted from the server" })
	// One account's failure alone is said in full, its name once.
	ui(func() { u.selected = "Account 2" })
	ui(u.fetchNow)
	eventually(t, "account 2's failure in full", func() bool {
		s := status()
		return s == "Account 2 refused the password"
	})
}

// twoSlowAccounts is a window with two accounts, each on a server of its
// own behind a slow link, with the passwords given.
func twoSlowAccounts(t *testing.T, passwords ...string) *UI {
	var servers []*pop3test.Server
	for range 2 {
		s := pop3test.NewTLSServer(pop3test.Config{Messages: testMail})
		t.Cleanup(s.Close)
		servers = append(servers, s)
	}
	u, _ := newTestUI(t, servers[0])
	u.opts.RootCAs.AppendCertsFromPEM(servers[1].CertPEM())
	for i, s := range servers {
		// A slow link: each fetch lasts long enough to be seen beside the other.
		p, err := latency.New(s.Addr, 150*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		port, _ := strconv.Atoi(p.Addr[strings.LastIndexByte(p.Addr, ':')+1:])
		name := "Account " + strconv.Itoa(i+1)
		if err := fetch.SaveAccount(u.arch, fetch.Account{Name: name, Host: "127.0.0.1", Port: port, User: "alice", KeepOnServer: true}); err != nil {
			t.Fatal(err)
		}
		u.secrets.Set(name, passwords[i])
	}
	ui(u.reloadAccounts)
	eventually(t, "two accounts", func() bool { return len(u.accounts) == 2 })
	return u
}

func TestRoundStatus(t *testing.T) {
	ok := func(name string) roundResult {
		return roundResult{account: name, full: name + " in full", brief: name + " in brief"}
	}
	bad := func(name string) roundResult {
		return roundResult{account: name, full: name + ": refused", failed: true}
	}
	for _, c := range []struct {
		round []roundResult
		want  string
	}{
		{[]roundResult{ok("A")}, "A in full"},
		{[]roundResult{bad("A")}, "A: refused"},
		{[]roundResult{ok("A"), ok("B")}, "A in brief · B in brief"},
		{[]roundResult{bad("A"), ok("B")}, "B in brief · A failed (its account says why)"},
		{[]roundResult{bad("A"), ok("B"), bad("C"), bad("D")}, "B in brief · A, C and D failed (each account says why)"},
	} {
		if got := roundStatus(c.round); got != c.want {
			t.Errorf("%+v: %q, want %q", c.round, got, c.want)
		}
	}
}

// Close runs after the window's loop has ended (Run defers it past
// ShowAndRun): with a fetch under way and another asked for, it stops the
// scheduler, waits for the fetch and closes the archive, though nothing
// runs on the UI goroutine any more. A scheduler that asked the window
// for its accounts would wait for ever here.
func TestCloseAfterTheLoopEnded(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: testMail})
	t.Cleanup(s.Close)
	s.SetFaults(pop3test.Faults{Stall: &pop3test.Trigger{Command: "UIDL"}})
	u, _ := newTestUI(t, s)
	port, _ := strconv.Atoi(s.Addr[strings.LastIndexByte(s.Addr, ':')+1:])
	if err := fetch.SaveAccount(u.arch, fetch.Account{Name: "Home", Host: "127.0.0.1", Port: port, User: "alice", KeepOnServer: true}); err != nil {
		t.Fatal(err)
	}
	u.secrets.Set("Home", "secret")
	ui(u.reloadAccounts)
	eventually(t, "the account", func() bool { return len(u.accounts) == 1 })
	ui(u.fetchNow)
	eventually(t, "the fetch stalled at UIDL", func() bool { return s.Fired() > 0 })

	// The loop ends: what is handed to it is never run.
	release := make(chan struct{})
	was, wasWait := onUI, onUIAndWait
	onUI = func(func()) {}
	onUIAndWait = func(func()) { <-release }
	defer func() { onUI, onUIAndWait = was, wasWait; close(release) }()

	u.sched.FetchNow() // the tray's Fetch now, as the window closes
	u.Close()
	if _, err := u.arch.Count(); err == nil {
		t.Fatal("the archive is still open after Close")
	}
}
