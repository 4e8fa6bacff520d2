package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"popvault/archive"
	"popvault/internal/mailgen"
)

// searchIDs runs list --search and returns the ids, newest first.
func (v *vault) searchIDs(q string) []uint64 {
	v.t.Helper()
	var ids []uint64
	for _, l := range v.listJSON("--search", q) {
		ids = append(ids, l.ID)
	}
	return ids
}

// TestKillDuringIndexing kills popvault while it builds the index, at
// random moments, then checks that the next start completes it: the
// search results equal those of a clean rebuild and verify passes (one
// index entry per message). POPVAULT_INDEX_KILLS sets the count.
func TestKillDuringIndexing(t *testing.T) {
	kills := 5
	if s := os.Getenv("POPVAULT_INDEX_KILLS"); s != "" {
		kills, _ = strconv.Atoi(s)
	}
	v := newVault(t)
	a, err := archive.Open(v.path, &archive.Options{NoFullText: true, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	g := mailgen.New(3)
	for done := 0; done < 4000; done += 500 {
		var batch []archive.Incoming
		for i := done; i < done+500; i++ {
			batch = append(batch, archive.Incoming{Account: "home", UID: strconv.Itoa(i), Raw: g.NextSmall().Data})
		}
		if _, err := a.Store(batch); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	r := rand.New(rand.NewPCG(seed(t), 3))
	queries := []string{"hotel", `"family dinner"`, "from:ada invoice", "subject:grüße"}
	for i := 0; i < kills; i++ {
		args := []string{"list", "--search", queries[i%len(queries)]}
		if i%2 == 1 {
			args = []string{"reindex"}
		}
		c := v.cmd("", args...)
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(300+r.IntN(2000)) * time.Millisecond)
		c.Process.Signal(syscall.SIGKILL)
		c.Wait()
	}
	var after [][]uint64
	for _, q := range queries {
		after = append(after, v.searchIDs(q))
	}
	if out := v.ok("", "verify"); !strings.HasPrefix(out, "OK: 4000 messages") {
		t.Fatalf("verify: %s", out)
	}
	v.ok("", "reindex")
	for i, q := range queries {
		if got := v.searchIDs(q); !slices.Equal(got, after[i]) || len(got) == 0 {
			t.Errorf("%q: %d results after the kills, %d after a clean rebuild", q, len(after[i]), len(got))
		}
	}
	t.Logf("%d kills while indexing 4,000 messages; %s", kills, fmt.Sprint(len(after[0]), " results for ", queries[0]))
}
