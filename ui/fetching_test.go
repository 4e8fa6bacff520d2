package ui

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/internal/latency"
)

// Fetch with All mail shown fetches both accounts at once, each with its
// own row of progress, and the rows go when their fetches end.
func TestFetchAccountsAtOnce(t *testing.T) {
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
		u.secrets.Set(name, "secret")
	}
	ui(u.reloadAccounts)
	eventually(t, "two accounts", func() bool { return len(u.accounts) == 2 })
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
