package ui

import (
	"fmt"
	"strings"
	"testing"

	"popvault/archive"
	"popvault/fetch/pop3test"
)

// TestStatusAfterEachAction: the status line says what the list shows
// after each change the person makes (Conversations on and off, a
// search typed and cleared, a delete), and leaves another's line (a
// fetch's) when the list reloads by itself.
func TestStatusAfterEachAction(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	mail := func(n int, subject, refs string) archive.Incoming {
		raw := fmt.Sprintf("From: p%d@example.org\r\nSubject: %s\r\nMessage-ID: <%d@x>\r\nDate: Mon, %d Mar 2025 10:00:00 +0000\r\n", n, subject, n, n)
		if refs != "" {
			raw += "In-Reply-To: " + refs + "\r\n"
		}
		return archive.Incoming{Account: "a", UID: fmt.Sprint(n), Raw: []byte(raw + "\r\nbody\r\n")}
	}
	st, err := u.arch.Store([]archive.Incoming{mail(1, "Dinner", ""), mail(2, "Re: Dinner", "<1@x>"), mail(3, "Invoice", "")})
	if err != nil {
		t.Fatal(err)
	}
	if err := u.arch.SearchIndex().Wait(u.ctx); err != nil {
		t.Fatal(err)
	}
	status := func(want string) {
		t.Helper()
		eventually(t, "the status "+want, func() bool { return u.status.Text == want })
	}
	ui(u.reloadAccounts)
	status("3 messages")
	ui(func() { u.list.toggle.SetChecked(true) })
	status("2 conversations of 3 messages")
	ui(func() { u.list.toggle.SetChecked(false) })
	status("3 messages")
	ui(func() { u.search.SetText("invoice") })
	status("1 message matches")
	ui(func() { u.search.SetText("") })
	status("3 messages")

	// A fetch's line stays when new mail reloads the list.
	ui(func() { u.setStatus("Home: 1 new message") })
	ui(u.list.reload)
	eventually(t, "the reload", func() bool { return u.list.shown == u.list.gen })
	if got := u.status.Text; got != "Home: 1 new message" {
		t.Fatalf("a reload replaced the fetch's line with %q", got)
	}

	// A delete, of the open message and of another, in each mode.
	if err := u.arch.Delete(st[2].ID); err != nil {
		t.Fatal(err)
	}
	ui(func() { u.list.remove(st[2].ID) })
	status("Message deleted · 2 messages")
	ui(func() { u.list.toggle.SetChecked(true) })
	status("1 conversation of 2 messages")
	if err := u.arch.Delete(st[1].ID); err != nil {
		t.Fatal(err)
	}
	ui(func() { u.list.remove(st[1].ID) })
	status("1 conversation of 1 message")
}

// TestEmptyStates: an empty list says why it is empty and what to do:
// a search that finds nothing, an archive with no mail and no account,
// an account with no mail yet; a list with rows shows no sentence.
func TestEmptyStates(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: testMail})
	defer s.Close()
	u, _ := newTestUI(t, s)
	note := func(want string) {
		t.Helper()
		eventually(t, "the sentence "+want, func() bool {
			return u.list.shown == u.list.gen && u.list.empty.Visible() && strings.Contains(u.list.empty.Text, want)
		})
	}
	ui(u.list.reload)
	note("No mail yet. Add an account")

	addAccount(t, u, s, "Home", "secret")
	ui(func() { u.selected = "Home"; u.list.reload() })
	note("No mail from Home in the archive yet. Fetch (Ctrl+R) brings it in.")

	ui(u.fetchNow)
	eventually(t, "the mail listed, no sentence", func() bool { return len(u.list.items) == 3 && !u.list.empty.Visible() })
	if err := u.arch.SearchIndex().Wait(u.ctx); err != nil {
		t.Fatal(err)
	}
	ui(func() { u.search.SetText("zebra") })
	note("No messages match “zebra”. Check the spelling or try fewer words; Escape clears the search.")
	eventually(t, "the count", func() bool { return u.status.Text == "0 messages match" })
	ui(func() { u.search.SetText("") })
	eventually(t, "the mail again, no sentence", func() bool { return len(u.list.items) == 3 && !u.list.empty.Visible() })
}
