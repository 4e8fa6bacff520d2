package main

import (
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
)

// TestKillDuringDelivery SIGKILLs fetches that deliver, in delete mode,
// at random moments while new mail keeps arriving, then lets one finish:
// every message is in the archive once and in the target once, and the
// source is empty. The seed is printed; POPVAULT_DELIVER_SEED replays it.
func TestKillDuringDelivery(t *testing.T) {
	kills := 20
	if s := os.Getenv("POPVAULT_DELIVER_KILLS"); s != "" {
		kills, _ = strconv.Atoi(s)
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("POPVAULT_DELIVER_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (POPVAULT_DELIVER_SEED replays it)", seed)
	r := rand.New(rand.NewPCG(seed, 3))
	var msgs [][]byte
	for _, m := range mailgen.Corpus(400, 29) {
		msgs = append(msgs, m.Data)
	}
	d := startIMAP(t, dovecot.Options{}, msgs[:100])
	sent := 100
	v := newVault(t)
	v.addAccount(d, "alice", "tls", false)
	v.ok(d.Password2+"\n", "account", "deliver", "--name", "alice", "--host", "127.0.0.1", "--port", strconv.Itoa(d.IMAPTLSPort),
		"--ca-file", d.CAFile, "--user", d.User2, "--password-stdin")
	finished := 0
	for killed := 0; killed < kills; {
		if left, _ := d.Count(); left < 20 && sent < len(msgs) {
			n := min(len(msgs)-sent, 40)
			if err := d.Deliver(msgs[sent : sent+n]...); err != nil {
				t.Fatal(err)
			}
			sent += n
		}
		c := v.cmd("", "fetch", "--quiet")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { c.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(time.Duration(r.IntN(2500)) * time.Millisecond):
			c.Process.Signal(syscall.SIGKILL)
			<-exited
		}
		if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			killed++
			continue
		}
		if c.ProcessState.ExitCode() != 0 {
			t.Fatalf("a fetch between kills failed: exit %d (seed %d)", c.ProcessState.ExitCode(), seed)
		}
		finished++
	}
	if err := d.Deliver(msgs[sent:]...); err != nil {
		t.Fatal(err)
	}
	v.ok("", "fetch", "--quiet")
	if left, _ := d.Count(); left != 0 {
		t.Errorf("%d messages left on the source (seed %d)", left, seed)
	}
	var archived [][]byte
	for _, l := range v.listJSON() {
		archived = append(archived, []byte(v.ok("", "show", "--raw", strconv.FormatUint(l.ID, 10))))
	}
	sameOnce(t, "the archive", archived, msgs)
	sameOnce(t, "the target", imapMailbox(t, d, "INBOX"), msgs)
	t.Logf("%d kills, %d fetches finished between them (seed %d)", kills, finished, seed)
}
