package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"popvault/fetch/pop3test"
)

// TestMessageKeys: with the list holding the keyboard, Page Down and
// Space scroll the message a page, Page Up back; Escape closes the
// dialog on top, then clears the search; Escape closes the raw source.
func TestMessageKeys(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	long := "From: a@example.org\r\nSubject: Long\r\n\r\n" + strings.Repeat("A line of a long message.\r\n\r\n", 200)
	storeAndOpen(t, u, long)
	ui(u.list.reload)
	eventually(t, "the list", func() bool { return len(u.list.items) == 1 })
	ui(func() { u.list.widget.Select(0) }) // the keyboard to the list
	eventually(t, "the list has the keyboard", func() bool { return w.Canvas().Focused() == u.list.widget })
	key := func(name fyne.KeyName) {
		ui(func() {
			if f := w.Canvas().Focused(); f != nil {
				f.TypedKey(&fyne.KeyEvent{Name: name})
			} else {
				w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: name})
			}
		})
	}
	offset := func() (o float32) { ui(func() { o = u.reader.body.GetScrollOffset() }); return o }
	page := func() (h float32) { ui(func() { h = u.reader.body.Size().Height }); return h }
	if offset() != 0 || page() <= 0 {
		t.Fatalf("offset %v, page %v", offset(), page())
	}
	key(fyne.KeyPageDown)
	one := offset()
	if one < page()/2 {
		t.Fatalf("Page Down scrolled to %v of a %v page", one, page())
	}
	key(fyne.KeySpace)
	if two := offset(); two < one+page()/2 {
		t.Fatalf("Space scrolled from %v to %v", one, two)
	}
	key(fyne.KeyPageUp)
	if back := offset(); back != one {
		t.Fatalf("Page Up went to %v, not back to %v", back, one)
	}

	// Escape: the dialog on top first, then the search.
	ui(func() { u.search.SetText("line") })
	ui(u.reader.deleteMessage)
	key(fyne.KeyEscape)
	ui(func() {
		if u.win.Canvas().Overlays().Top() != nil || u.asking != nil || u.search.Text != "line" {
			t.Errorf("Escape: a dialog still shows: %v; the search: %q", u.win.Canvas().Overlays().Top() != nil, u.search.Text)
		}
	})
	ui(func() { u.list.widget.Select(0); w.Canvas().Focus(u.list.widget) })
	key(fyne.KeyEscape)
	ui(func() {
		if u.search.Text != "" {
			t.Errorf("Escape left the search %q", u.search.Text)
		}
	})
	// In the search box itself, too.
	ui(func() { w.Canvas().Focus(u.search); test.Type(u.search, "abc") })
	key(fyne.KeyEscape)
	ui(func() {
		if u.search.Text != "" {
			t.Errorf("Escape in the search box left %q", u.search.Text)
		}
	})

	// The raw source window closes on Escape.
	ui(u.reader.showRaw)
	eventually(t, "the raw source", func() bool { return u.reader.raw != nil })
	closed := false
	ui(func() {
		u.reader.raw.SetOnClosed(func() { closed = true })
		u.reader.raw.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	})
	if !closed {
		t.Error("Escape left the raw source open")
	}
}
