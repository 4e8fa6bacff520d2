package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/fetch/pop3test"
)

func TestConversations(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	mail := func(n int, id, subject, refs string) archive.Incoming {
		raw := fmt.Sprintf("From: P%d <p%d@example.org>\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: Mon, %d Mar 2025 10:00:00 +0000\r\n", n, n, subject, id, n)
		if refs != "" {
			raw += "References: " + refs + "\r\nIn-Reply-To: " + refs[strings.LastIndexByte(refs, '<'):] + "\r\n"
		}
		return archive.Incoming{Account: "a", UID: id, Raw: []byte(raw + "\r\nbody " + id + "\r\n")}
	}
	if _, err := u.arch.Store([]archive.Incoming{
		mail(1, "a@x", "Dinner", ""), mail(2, "b@x", "Re: Dinner", "<a@x>"), mail(5, "c@x", "Re: Dinner", "<a@x> <b@x>"),
		mail(3, "d@x", "Invoice", ""), mail(4, "e@x", "Trip", ""), mail(6, "f@x", "Re: Trip", "<e@x>"),
	}); err != nil {
		t.Fatal(err)
	}
	ui(u.reloadAccounts)
	eventually(t, "six messages", func() bool { return len(u.list.items) == 6 })
	ui(func() { u.list.toggle.SetChecked(true) })
	eventually(t, "three conversations", func() bool { return len(u.list.items) == 3 && u.list.items[0].count == 2 })
	var got []string
	ui(func() {
		for _, r := range u.list.items {
			got = append(got, fmt.Sprintf("%s:%d", r.text.subject, r.count))
		}
	})
	if strings.Join(got, " ") != "Re: Trip:2 Re: Dinner:3 Invoice:0" {
		t.Fatalf("conversations %q", got)
	}
	// Open the Dinner conversation: its newest, the others collapsed above.
	ui(func() { u.list.widget.Select(1) })
	eventually(t, "the newest of Dinner", func() bool {
		return u.reader.view != nil && u.reader.view.MessageID == "c@x" && len(u.reader.convo.Objects) == 4
	})
	var older *widget.Button
	ui(func() {
		for _, o := range u.reader.convo.Objects {
			if b, ok := unwrap(o).(*widget.Button); ok && strings.Contains(b.Text, "P1") {
				older = b
			}
		}
	})
	if older == nil {
		t.Fatal("the eldest message is not offered")
	}
	ui(func() { test.Tap(older) })
	eventually(t, "the eldest open, in its conversation", func() bool {
		return u.reader.view != nil && u.reader.view.MessageID == "a@x" && len(u.reader.convo.Objects) == 4
	})
	// A search lists single messages, and the toggle waits.
	ui(func() { u.search.SetText("dinner") })
	eventually(t, "single results", func() bool { return len(u.list.items) == 3 && u.list.items[0].count == 0 && u.list.toggle.Disabled() })
	ui(func() { u.search.SetText("") })
	eventually(t, "conversations again", func() bool { return len(u.list.items) == 3 && !u.list.toggle.Disabled() })
	ui(func() { u.list.toggle.SetChecked(false) })
	eventually(t, "messages again", func() bool { return len(u.list.items) == 6 })
}
