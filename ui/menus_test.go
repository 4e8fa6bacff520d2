package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"popvault/fetch/pop3test"
)

// menuLabels are a menu's item labels, separators left out.
func menuLabels(m *fyne.Menu) []string {
	var out []string
	for _, it := range m.Items {
		if !it.IsSeparator {
			out = append(out, it.Label)
		}
	}
	return out
}

func hasAll(got []string, want ...string) bool {
	have := map[string]bool{}
	for _, g := range got {
		have[g] = true
	}
	for _, w := range want {
		if !have[w] {
			return false
		}
	}
	return true
}

// TestRightClickMenus: a row's menu has what a mail program offers and
// acts on that row's message, open or not (mark unread, delete, reply);
// the reader's has copy and the message's actions; an attachment's
// saves it.
func TestRightClickMenus(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	var opened []string
	u, w := newTestUIWith(t, s, Options{OpenURL: func(a string) error { opened = append(opened, a); return nil }})
	ids := storeAndOpen(t, u, string(testMail[0].Data), string(testMail[1].Data))
	eventually(t, "the invoice read", func() bool { return u.counts["a"].Unread == 1 })
	ui(u.list.reload)
	eventually(t, "two rows", func() bool { return len(u.list.items) == 2 })
	row := func(id uint64) (r *rowView) {
		ui(func() {
			for i := range u.list.items {
				if u.list.items[i].id == id {
					r = newRowView(u.list)
					r.set(i, &u.list.items[i])
				}
			}
		})
		return r
	}
	// The invoice (open, read): mark it unread from its row.
	ui(func() { row(ids[0]).SecondaryTapped(&fyne.PointEvent{}) })
	if got := menuLabels(u.list.menu); !hasAll(got, "Open", "Reply", "Forward", "Mark unread", "Delete", "Copy subject", "Copy sender") {
		t.Fatalf("the row's menu: %q", got)
	}
	tapMenu(t, u.list.menu, "Mark unread")
	eventually(t, "unread again", func() bool { return u.counts["a"].Unread == 2 })

	// Photos, not open: Reply opens it, then hands the reply off.
	ui(func() { row(ids[1]).SecondaryTapped(&fyne.PointEvent{}) })
	tapMenu(t, u.list.menu, "Reply")
	eventually(t, "Photos open and its reply handed off", func() bool {
		return u.reader.view != nil && u.reader.view.ID == ids[1] && len(opened) == 1
	})

	// The invoice, not open now: Delete asks, then deletes it, and the
	// open message stays open, not opened again.
	reopened := 0
	ui(func() { u.reader.loaded = func(uint64, bool) { reopened++ } })
	ui(func() { row(ids[0]).SecondaryTapped(&fyne.PointEvent{}) })
	tapMenu(t, u.list.menu, "Delete")
	tap(t, w, "Delete")
	eventually(t, "the invoice deleted, Photos still open", func() bool {
		return len(u.list.items) == 1 && u.reader.view != nil && u.reader.view.ID == ids[1]
	})
	ui(func() {
		if reopened != 0 {
			t.Errorf("the open message was opened again %d times", reopened)
		}
	})

	// The reader's menu, and an attachment's.
	ui(func() {
		l := newLineView(u.reader)
		l.set(0, u.reader.lines[0], false)
		l.SecondaryTapped(&fyne.PointEvent{})
	})
	if got := menuLabels(u.reader.menu); !hasAll(got, "Copy", "Select all", "Reply", "Forward", "Mark unread", "Delete") {
		t.Fatalf("the reader's menu: %q", got)
	}
	ui(func() {
		for _, o := range u.reader.attachments.Objects {
			if a, ok := o.(*attachmentRow); ok {
				a.SecondaryTapped(&fyne.PointEvent{})
			}
		}
	})
	if got := menuLabels(u.reader.menu); !hasAll(got, "Open", "Save attachment…") {
		t.Fatalf("the attachment's menu: %q", got)
	}
	tapMenu(t, u.reader.menu, "Save attachment…")
	tap(t, w, "Cancel") // the save dialog showed

	// The menu bar's Message menu offers the same, for the open message.
	var bar []string
	ui(func() { bar = menuLabels(u.messageMenu()) })
	if !hasAll(bar, "Reply", "Forward", "Mark unread", "Delete", "Copy (Ctrl+C)", "Select all (Ctrl+A)", "View in browser", "Raw source") {
		t.Fatalf("the Message menu: %q", bar)
	}
}
