package main

import (
	"bytes"
	"os"
	"strconv"
	"testing"
	"time"

	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
)

// TestLoadFetch fetches a large mailbox of the usual mix with the real
// binary and reports its peak memory, which must stay flat: it does not
// grow with the mailbox, since messages stream into batched commits.
// POPVAULT_LOAD_MESSAGES sets the size (make stress: 20,000).
func TestLoadFetch(t *testing.T) {
	n := 2000
	if s := os.Getenv("POPVAULT_LOAD_MESSAGES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	d := dovecot.StartForTest(t)
	g := mailgen.New(77)
	var total int64
	for done := 0; done < n; done += 500 {
		var batch [][]byte
		for i := done; i < min(n, done+500); i++ {
			m := g.Next().Data
			total += int64(len(m))
			batch = append(batch, m)
		}
		if err := d.Deliver(batch...); err != nil {
			t.Fatal(err)
		}
	}
	v := newVault(t)
	v.addAccount(d, "load", "tls", true)
	c := v.cmd("", "fetch")
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- c.Wait() }()
	// The peak is the child's own VmHWM, sampled while it runs. Not the
	// rusage of the finished child: Go starts children with vfork, so
	// their ru_maxrss includes this test process's peak from before exec.
	var anon, file, peak int64 // the largest samples
	for running := true; running; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("fetch: %v: %s", err, out.String())
			}
			running = false
		case <-time.After(50 * time.Millisecond):
			a, f, hwm := rssSplit(c.Process.Pid)
			anon, file, peak = max(anon, a), max(file, f), max(peak, hwm)
		}
	}
	t.Logf("fetched %d messages (%d MB): peak RSS %d MB (sampled peaks: own memory %d MB, mapped files %d MB)", n, total>>20, peak>>20, anon>>20, file>>20)
	if peak > 300<<20 {
		t.Fatalf("peak RSS %d MB: memory grows with the mailbox", peak>>20)
	}
	if got := len(v.listJSON()); got != n {
		t.Fatalf("archived %d of %d", got, n)
	}
}

// rssSplit returns a process's anonymous and file-backed resident bytes,
// and its peak resident bytes so far.
func rssSplit(pid int) (anon, file, hwm int64) {
	return procStatus(pid, "RssAnon:"), procStatus(pid, "RssFile:"), procStatus(pid, "VmHWM:")
}
