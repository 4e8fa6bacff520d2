package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"popvault/archive"
	"popvault/fetch/pop3test"
	"popvault/tools/latency"
)

func port(addr string) int {
	p, _ := strconv.Atoi(addr[strings.LastIndexByte(addr, ':')+1:])
	return p
}

// maxInUse samples the servers' maildrop locks (held from login to QUIT)
// until stop is closed, and returns the most locked at once.
func maxInUse(servers []*pop3test.Server, stop <-chan struct{}) <-chan int {
	out := make(chan int, 1)
	go func() {
		most := 0
		for {
			n := 0
			for _, s := range servers {
				if s.InUse() {
					n++
				}
			}
			most = max(most, n)
			select {
			case <-stop:
				out <- most
				return
			case <-time.After(200 * time.Microsecond):
			}
		}
	}()
	return out
}

func corpusFor(prefix string, n int) []pop3test.Message {
	msgs := make([]pop3test.Message, n)
	for i := range msgs {
		msgs[i] = pop3test.Message{UID: fmt.Sprintf("%s-%d", prefix, i),
			Data: []byte(fmt.Sprintf("From: %s@example.org\r\nSubject: %s %d\r\n\r\n%s\r\n", prefix, prefix, i, strings.Repeat(prefix+" text ", 200)))}
	}
	return msgs
}

// Five accounts on five servers are fetched at once, at most Parallel at
// a time (each server's maildrop lock, held from login to QUIT, sampled),
// and all of their mail arrives once; two accounts of one maildrop (the
// same host, port and user) never have sessions at once, even among the
// others: the test server refuses a second with [IN-USE].
func TestFetchAllConcurrency(t *testing.T) {
	arch := openArchive(t)
	secrets := &MemorySecrets{}
	var servers []*pop3test.Server
	var accts []Account
	want := 0
	for i := range 5 {
		s := pop3test.NewTLSServer(pop3test.Config{Messages: corpusFor(fmt.Sprintf("s%d", i), 30)})
		t.Cleanup(s.Close)
		servers = append(servers, s)
		p, err := latency.New(s.Addr, 10*time.Millisecond) // sessions long enough to overlap
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		name := fmt.Sprintf("acct%d", i)
		secrets.Set(name, "secret")
		accts = append(accts, Account{Name: name, Host: "localhost", Port: port(p.Addr), Security: SecurityTLS, User: "alice", KeepOnServer: true, Timeout: Duration(5 * time.Second)})
		want += 30
	}
	pool := servers[0].CertPool()
	for _, s := range servers[1:] {
		pool.AppendCertsFromPEM(s.CertPEM())
	}
	f := &Fetcher{Archive: arch, Secrets: secrets, RootCAs: pool, BatchCount: 5}
	// A sixth account: the first one's maildrop again, under another name
	// and spelling of the host. It comes second, so that it would start
	// beside the first.
	same := accts[0]
	same.Name, same.Host = "acct0-again", "LocalHost"
	secrets.Set(same.Name, "secret")
	accts = append(accts[:1], append([]Account{same}, accts[1:]...)...)

	stop := make(chan struct{})
	most := maxInUse(servers, stop)
	var mu sync.Mutex
	var finished []string
	results := f.FetchAll(context.Background(), accts, 4, func(r Result) {
		mu.Lock()
		finished = append(finished, r.Account)
		mu.Unlock()
	})
	close(stop)
	for i, r := range results {
		if r.Account != accts[i].Name || r.Err != nil {
			t.Errorf("result %d: %+v", i, r)
		}
	}
	if len(finished) != len(accts) {
		t.Errorf("done was called for %v", finished)
	}
	if results[0].New != 30 || results[1].New != 30 {
		t.Errorf("the shared maildrop's two accounts took %d and %d of its 30 messages", results[0].New, results[1].New)
	}
	c, _ := arch.Count()
	if total := c[""].Total; total != want {
		t.Errorf("archive holds %d, want %d", total, want)
	}
	if m := <-most; m < 2 || m > 4 {
		t.Errorf("at most %d sessions ran at once, want 2 to 4", m)
	}
}

// An account that fails (a wrong password, a server that is gone) stops
// none of the others.
func TestFetchAllFailureStopsNoOther(t *testing.T) {
	arch := openArchive(t)
	good := pop3test.NewTLSServer(pop3test.Config{Messages: corpusFor("good", 10)})
	t.Cleanup(good.Close)
	gone, _ := net.Listen("tcp", "127.0.0.1:0")
	goneAddr := gone.Addr().String()
	gone.Close()
	secrets := &MemorySecrets{}
	secrets.Set("good", "secret")
	secrets.Set("wrong", "not the password")
	secrets.Set("gone", "secret")
	f := &Fetcher{Archive: arch, Secrets: secrets, RootCAs: good.CertPool()}
	acct := func(name, addr string) Account {
		return Account{Name: name, Host: "127.0.0.1", Port: port(addr), Security: SecurityTLS, User: "alice", KeepOnServer: true, Timeout: Duration(2 * time.Second)}
	}
	wrong := acct("wrong", good.Addr)
	wrong.User = "bob" // another maildrop on the same server
	results := f.FetchAll(context.Background(), []Account{acct("gone", goneAddr), wrong, acct("good", good.Addr)}, 0, nil)
	if results[0].Err == nil || results[1].Err == nil {
		t.Errorf("the failing accounts: %v, %v", results[0].Err, results[1].Err)
	}
	if results[2].Err != nil || results[2].New != 10 {
		t.Errorf("the good account: %+v", results[2])
	}
}

// The committer puts batches that wait for a commit into one commit, and
// gives each its own results; the session that made a commit returns
// when its own batch is in, not after committing the others' later
// batches; a failed commit fails each batch in it.
func TestCommitterGroups(t *testing.T) {
	// In a bubble, synctest.Wait returns once every goroutine is blocked
	// on a channel: the order below is made of events, not of pauses.
	synctest.Test(t, committerGroups)
}

func committerGroups(t *testing.T) {
	var c committer
	var mu sync.Mutex
	var calls []int
	release, release2 := make(chan struct{}), make(chan struct{})
	commitAll := func(in []archive.Incoming) ([]archive.Stored, error) {
		mu.Lock()
		calls = append(calls, len(in))
		n := len(calls)
		mu.Unlock()
		switch n {
		case 1:
			<-release // the first commit is slow: the others queue behind it
		case 2:
			<-release2
		}
		out := make([]archive.Stored, len(in))
		for i, m := range in {
			id, _ := strconv.Atoi(m.UID)
			out[i] = archive.Stored{ID: uint64(id)}
		}
		if in[0].UID == "fail" {
			return nil, errors.New("disk full")
		}
		return out, nil
	}
	var wg sync.WaitGroup
	got := make([][]archive.Stored, 9)
	firstDone := make(chan struct{})
	for i := range 9 {
		wg.Go(func() {
			in := []archive.Incoming{{UID: strconv.Itoa(i * 10)}, {UID: strconv.Itoa(i*10 + 1)}}
			res, err := c.store(commitAll, in)
			if err != nil {
				t.Error(err)
			}
			got[i] = res
			if i == 0 {
				close(firstDone)
			}
		})
		if i == 0 {
			synctest.Wait() // the first is committing
		}
	}
	synctest.Wait() // the other eight are queued
	close(release)
	synctest.Wait() // the first commit is in; the next holds the eight
	select {
	case <-firstDone:
	default:
		t.Error("the first session still commits the others' batches")
	}
	close(release2)
	wg.Wait()
	checkGroups(t, calls, got)
	if _, err := c.store(commitAll, []archive.Incoming{{UID: "fail"}}); err == nil {
		t.Error("a failed commit reported success")
	}
}

// checkGroups: the first commit held the first batch alone, the second
// the eight that queued behind it, and each batch got its own results.
func checkGroups(t *testing.T, calls []int, got [][]archive.Stored) {
	t.Helper()
	if len(calls) != 2 || calls[0] != 2 || calls[1] != 16 {
		t.Errorf("commits of %v messages, want [2 16]", calls)
	}
	for i, res := range got {
		if len(res) != 2 || res[0].ID != uint64(i*10) || res[1].ID != uint64(i*10+1) {
			t.Errorf("batch %d got %+v", i, res)
		}
	}
}
