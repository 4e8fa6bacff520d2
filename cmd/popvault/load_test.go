package main

import (
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
	m, out, err := sampled(v.cmd("", "fetch"), 50*time.Minute)
	if err != nil {
		t.Fatalf("fetch: %v: %s", err, out)
	}
	peak, anon, file := m.peak, m.anon, m.file
	t.Logf("fetched %d messages (%d MB): peak RSS %d MB (sampled peaks: own memory %d MB, mapped files %d MB)", n, total>>20, peak>>20, anon>>20, file>>20)
	if peak > 300<<20 {
		t.Fatalf("peak RSS %d MB: memory grows with the mailbox", peak>>20)
	}
	if got := len(v.listJSON()); got != n {
		t.Fatalf("archived %d of %d", got, n)
	}
}
