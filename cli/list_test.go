package cli

import (
	"os"
	"slices"
	"strings"
	"testing"

	"popvault/archive"
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
