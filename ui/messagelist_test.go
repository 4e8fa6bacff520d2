package ui

import (
	"fmt"
	"testing"
	"time"

	"popvault/archive"
	"popvault/fetch/pop3test"
)

// TestRowsTextOnDemand: past the first page the list keeps no text of
// its rows until they are shown, then shows theirs.
func TestRowsTextOnDemand(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	const n = 3 * firstPage
	var in []archive.Incoming
	start := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	for i := range n {
		raw := fmt.Sprintf("From: Sender %d <s%d@example.org>\r\nSubject: message %d\r\nDate: %s\r\n\r\nbody\r\n",
			i, i, i, start.Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z))
		in = append(in, archive.Incoming{Account: "a", UID: fmt.Sprint(i), Raw: []byte(raw)})
	}
	if _, err := u.arch.Store(in); err != nil {
		t.Fatal(err)
	}
	ui(u.reloadAccounts)
	eventually(t, "every message listed", func() bool { return len(u.list.items) == n })
	withText := func() (count int) {
		ui(func() {
			for _, r := range u.list.items {
				if r.text != nil {
					count++
				}
			}
		})
		return count
	}
	if got := withText(); got != firstPage {
		t.Fatalf("%d of %d rows hold their text before any but the first page was shown", got, n)
	}
	ui(u.list.widget.ScrollToBottom)
	eventually(t, "the oldest row's text, once shown", func() bool {
		var r row
		ui(func() { r = u.list.items[n-1] })
		return r.text != nil && r.text.subject == "message 0" && r.text.from == "Sender 0"
	})
	if got := withText(); got > firstPage+firstPage/4 {
		t.Fatalf("%d rows hold their text after one screen more was shown", got)
	}
}
