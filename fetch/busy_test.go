package fetch

import (
	"context"

	"popvault/fetch/pop3test"
	"testing"
)

// TestOneFetchOfAnAccountAtATime: a second Fetcher on the same archive
// (the window's, and the one running a fetch a scheduled popvault handed
// over) waits for the first's fetch of an account to end before it
// connects, then finds nothing new.
func TestOneFetchOfAnAccountAtATime(t *testing.T) {
	e := newEnv(t, pop3test.Config{Messages: corpus(20)}, true)
	downloading, goOn := make(chan struct{}), make(chan struct{})
	first := &Fetcher{Archive: e.arch, Secrets: e.fetcher.Secrets, RootCAs: e.fetcher.RootCAs}
	first.Progress = func(p Progress) {
		if p.Stage == StageDownloading && p.Messages == 0 {
			close(downloading)
			<-goOn
		}
	}
	waits := make(chan string, 1)
	claimWaits = func(account string) { waits <- account }
	t.Cleanup(func() { claimWaits = nil })

	firstDone := make(chan Result)
	go func() { firstDone <- first.Fetch(context.Background(), e.acct) }()
	<-downloading
	second := &Fetcher{Archive: e.arch, Secrets: e.fetcher.Secrets, RootCAs: e.fetcher.RootCAs}
	secondDone := make(chan Result)
	go func() { secondDone <- second.Fetch(context.Background(), e.acct) }()
	select {
	case got := <-waits:
		if got != e.acct.Name {
			t.Fatalf("waited for %q", got)
		}
	case r := <-secondDone:
		close(goOn)
		<-firstDone
		t.Fatalf("the second fetch ran while the first did: %+v", r)
	}
	if n := e.server.Sessions(); n != 1 {
		t.Fatalf("the server saw %d sessions while the first fetch ran, want 1", n)
	}
	close(goOn)
	r1 := <-firstDone
	r2 := <-secondDone
	if r1.Err != nil || r1.New != 20 || r2.Err != nil || r2.New != 0 {
		t.Fatalf("first %+v, second %+v: want 20 new, then none", r1, r2)
	}
	e.check()
}

// TestClaimEndsWithItsContext: a fetch waiting for another of its
// account ends when its context does.
func TestClaimEndsWithItsContext(t *testing.T) {
	arch := openArchive(t)
	release, err := claim(context.Background(), arch, "home")
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	claimWaits = func(string) { cancel() }
	t.Cleanup(func() { claimWaits = nil })
	if _, err := claim(ctx, arch, "home"); err != context.Canceled {
		t.Fatalf("claim of a busy account, cancelled: %v", err)
	}
	other, err := claim(context.Background(), arch, "work")
	if err != nil {
		t.Fatalf("another account: %v", err)
	}
	other()
}
