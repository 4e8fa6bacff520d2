package main

import (
	"crypto/sha256"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
)

// startIMAP starts a Dovecot with IMAP that holds msgs for alice (POP3).
func startIMAP(t *testing.T, opts dovecot.Options, msgs [][]byte) *dovecot.Server {
	t.Helper()
	opts.IMAP = true
	return dovecot.StartForTestWith(t, opts, msgs...)
}

// restoreArgs restore into bob's mailbox over IMAPS.
func restoreArgs(d *dovecot.Server, mailbox string, more ...string) []string {
	return append([]string{"restore", "--host", "127.0.0.1", "--port", strconv.Itoa(d.IMAPTLSPort), "--ca-file", d.CAFile,
		"--user", d.User2, "--password-stdin", "--mailbox", mailbox}, more...)
}

// imapMailbox returns the bytes of every message in bob's mailbox.
func imapMailbox(t *testing.T, d *dovecot.Server, name string) [][]byte {
	t.Helper()
	msgs, err := d.IMAPMessages(name)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// sameOnce fails unless got holds each of want exactly once, and nothing else.
func sameOnce(t *testing.T, who string, got, want [][]byte) {
	t.Helper()
	count := map[[32]byte]int{}
	for _, m := range got {
		count[sha256.Sum256(m)]++
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d messages, want %d", who, len(got), len(want))
	}
	for i, m := range want {
		if n := count[sha256.Sum256(m)]; n != 1 {
			t.Fatalf("%s: message %d of %d is there %d times, byte for byte", who, i, len(want), n)
		}
	}
}

// TestKillDuringRestore SIGKILLs restores at random moments, then lets
// one finish: every message is in the mailbox exactly once.
func TestKillDuringRestore(t *testing.T) {
	kills := 10
	if s := os.Getenv("POPVAULT_RESTORE_KILLS"); s != "" {
		kills, _ = strconv.Atoi(s)
	}
	var msgs [][]byte
	for _, m := range mailgen.Corpus(300, 23) {
		msgs = append(msgs, m.Data)
	}
	d := startIMAP(t, dovecot.Options{}, msgs)
	v := newVault(t)
	v.addAccount(d, "alice", "tls", true)
	v.ok("", "fetch", "--quiet")
	r := rand.New(rand.NewPCG(seed(t), 2))
	mailbox, finished := "Restored", 0
	for killed := 0; killed < kills; {
		c := v.cmd(d.Password2+"\n", restoreArgs(d, mailbox, "--create", "--quiet")...)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { c.Wait(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(time.Duration(r.IntN(1500)) * time.Millisecond):
			c.Process.Signal(syscall.SIGKILL)
			<-exited
		}
		if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			killed++
			continue
		}
		if c.ProcessState.ExitCode() != 0 {
			t.Fatalf("a restore between kills failed: exit %d", c.ProcessState.ExitCode())
		}
		// Finished before its moment came: check this mailbox, and give
		// the next kills a new one.
		sameOnce(t, mailbox, imapMailbox(t, d, mailbox), msgs)
		finished++
		mailbox = "Restored" + strconv.Itoa(finished)
	}
	v.ok(d.Password2+"\n", restoreArgs(d, mailbox, "--create")...)
	sameOnce(t, mailbox, imapMailbox(t, d, mailbox), msgs)
	t.Logf("%d kills, %d restores finished between them", kills, finished)
}
