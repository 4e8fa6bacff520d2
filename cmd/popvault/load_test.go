package main

import (
	"os"
	"strconv"
	"syscall"
	"testing"

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
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("fetch: %v: %s", err, lastLines(string(out)))
	}
	peak := c.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
	t.Logf("fetched %d messages (%d MB): peak RSS %d MB", n, total>>20, peak>>20)
	if peak > 400<<20 {
		t.Fatalf("peak RSS %d MB: memory grows with the mailbox", peak>>20)
	}
	if got := len(v.listJSON()); got != n {
		t.Fatalf("archived %d of %d", got, n)
	}
}
