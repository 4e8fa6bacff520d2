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

func TestSearchCommandLine(t *testing.T) {
	v := newVault(t)
	msgs := map[string]string{
		"a.eml": "From: Ada <ada@example.org>\r\nTo: me@example.org\r\nSubject: Tickets\r\nDate: Mon, 2 Jan 2023 10:00:00 +0000\r\n\r\nYour train tickets to Lyon are attached.\r\n",
		"b.eml": "From: Bob <bob@example.org>\r\nTo: me@example.org\r\nSubject: Lunch\r\nDate: Tue, 3 Jan 2023 10:00:00 +0000\r\n\r\nShall we have lunch in Lyon?\r\n",
		"c.eml": "From: Ada <ada@example.org>\r\nTo: me@example.org\r\nSubject: Train\r\nDate: Wed, 4 Jan 2023 10:00:00 +0000\r\n\r\nThe tickets for the train are cheaper now.\r\n",
	}
	dir := t.TempDir()
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(dir+"/"+sub, 0o700)
	}
	for name, m := range msgs {
		os.WriteFile(dir+"/cur/"+name, []byte(m), 0o600)
	}
	v.ok("", "import", "--format", "maildir", "--account", "home", dir)
	all := v.listJSON()
	id := map[string]uint64{}
	for _, l := range all {
		id[l.Subject] = l.ID
	}
	cases := map[string][]uint64{
		"lyon":                    {id["Lunch"], id["Tickets"]},
		`"train tickets"`:         {id["Tickets"]},
		"tickets train":           {id["Train"], id["Tickets"]},
		"from:ada -subject:train": {id["Tickets"]},
		"after:2023-01-03":        {id["Train"], id["Lunch"]},
		"account:home lunch":      {id["Lunch"]},
		"account:work lunch":      nil,
	}
	for q, want := range cases {
		if got := v.searchIDs(q); !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", q, got, want)
		}
	}
	out := v.ok("", "list", "--search", `"train tickets"`)
	if !strings.Contains(out, "Your train tickets to Lyon are attached.") {
		t.Errorf("no snippet in:\n%s", out)
	}
	if _, errs, code := v.run("", "list", "--search", "after:soon"); code == 0 || !strings.Contains(errs, "search: after:soon: wants a date") {
		t.Errorf("bad query: exit %d, %q", code, errs)
	}
	// Deleting the index: the next search rebuilds it, to the same results.
	os.RemoveAll(archive.SearchDir(v.path))
	for q, want := range cases {
		if got := v.searchIDs(q); !slices.Equal(got, want) {
			t.Errorf("after deleting the index, %q: %v, want %v", q, got, want)
		}
	}
	if out := v.ok("", "reindex"); !strings.HasPrefix(out, "Indexed 3 messages") {
		t.Errorf("reindex said %q", out)
	}
	for q, want := range cases {
		if got := v.searchIDs(q); !slices.Equal(got, want) {
			t.Errorf("after reindex, %q: %v, want %v", q, got, want)
		}
	}
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
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
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
