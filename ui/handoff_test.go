package ui

import (
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/fetch/pop3test"
)

// storeAndOpen stores raw messages, opens the first in the reader and
// returns their ids.
func storeAndOpen(t *testing.T, u *UI, raws ...string) []uint64 {
	t.Helper()
	var in []archive.Incoming
	for i, raw := range raws {
		in = append(in, archive.Incoming{Account: "a", UID: string(rune('a' + i)), Raw: []byte(raw)})
	}
	st, err := u.arch.Store(in)
	if err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, s := range st {
		ids = append(ids, s.ID)
	}
	ui(func() { u.reader.open(ids[0], false) })
	eventually(t, "the message open", func() bool { return u.reader.view != nil && u.reader.view.ID == ids[0] })
	return ids
}

// TestHandOffFailureSaysSo: when no program takes a reply, a link or an
// attachment, the window says so in words, with the fix, and the
// opener's own words under Details; a link's dialog offers to copy it.
func TestHandOffFailureSaysSo(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	var asked []string
	u, w := newTestUIWith(t, s, Options{OpenURL: func(a string) error {
		asked = append(asked, a)
		return errors.New("xdg-open: exit status 3: no method available for opening")
	}})
	storeAndOpen(t, u, string(testMail[1].Data))
	for _, tc := range []struct {
		do          func()
		title, says string
	}{
		{func() { u.reader.handOff(replyLink) }, "No mail program opened", "Choose a default mail program"},
		{func() { u.reader.openAttachment(u.reader.view.Attachments[0]) }, "", ""}, // evil.sh: popvault offers to save it, opens nothing
		{func() { u.handOff(toOpener, "file:///tmp/a.pdf") }, "No program opened the attachment", "Save the attachment"},
		{func() { u.handOff(toBrowser, "https://shop.example/order/4711") }, "No browser opened", "Choose a default web browser"},
	} {
		ui(func() {
			for u.win.Canvas().Overlays().Top() != nil {
				u.win.Canvas().Overlays().Top().Hide()
			}
			u.setStatus("")
			tc.do()
		})
		if tc.title == "" {
			continue
		}
		var text string
		eventually(t, tc.title, func() bool { text = dialogLabels(w); return strings.Contains(text, tc.title) })
		if !strings.Contains(text, tc.says) || u.status.Text != tc.title {
			t.Errorf("%s: the dialog says %q, the status %q", tc.title, text, u.status.Text)
		}
	}
	// The link's dialog copies the address.
	tap(t, w, "Copy the address")
	if got := fyne.CurrentApp().Clipboard().Content(); got != "https://shop.example/order/4711" {
		t.Errorf("the clipboard holds %q", got)
	}
	if len(asked) != 3 {
		t.Errorf("handed off %v", asked)
	}
}

// TestForwardOffersToSaveAttachments: a forward of a message with an
// attachment says mailto: cannot carry it and offers to save it; the
// text goes on only when asked. One without goes at once.
func TestForwardOffersToSaveAttachments(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	var opened []string
	u, w := newTestUIWith(t, s, Options{OpenURL: func(a string) error { opened = append(opened, a); return nil }})
	ids := storeAndOpen(t, u, string(testMail[1].Data), string(testMail[0].Data))
	ui(u.reader.forward)
	var text string
	ui(func() { text = dialogLabels(w) })
	if !strings.Contains(text, "cannot pass on its attachment") || len(opened) != 0 {
		t.Fatalf("the dialog says %q; opened %v", text, opened)
	}
	ui(func() {
		if b := button(w, "Save attachments…"); b == nil || b.Importance != widget.HighImportance {
			t.Errorf("no Save attachments… as the first choice: %v", b)
		}
	})
	tap(t, w, "Forward the text only")
	eventually(t, "the forward handed off", func() bool { return len(opened) == 1 && strings.Contains(opened[0], "subject=Fwd%3A%20Photos") })

	ui(func() { u.reader.open(ids[1], false) })
	eventually(t, "the invoice open", func() bool { return u.reader.view != nil && u.reader.view.ID == ids[1] })
	ui(u.reader.forward)
	eventually(t, "its forward handed off at once", func() bool { return len(opened) == 2 && strings.Contains(opened[1], "Quarterly") })
}

// TestCautiousDefaults: a link's dialog answers Enter with Cancel, its
// Cancel the primary button; the delete dialog's Delete is styled as
// destructive.
func TestCautiousDefaults(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	var opened []string
	u, w := newTestUIWith(t, s, Options{OpenURL: func(a string) error { opened = append(opened, a); return nil }})
	storeAndOpen(t, u, string(testMail[0].Data))
	ui(func() { u.reader.askOpenLink("https://evil.example/", "bank.example") })
	ui(func() {
		if c, o := button(w, "Cancel"), button(w, "Open"); c == nil || o == nil || c.Importance != widget.HighImportance || o.Importance == widget.HighImportance {
			t.Error("Cancel should be the primary button, and Open not")
		}
		u.windowKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	})
	ui(func() {
		if u.win.Canvas().Overlays().Top() != nil || len(opened) != 0 {
			t.Errorf("Enter left the dialog open or opened the link: %v", opened)
		}
		u.reader.deleteMessage()
	})
	ui(func() {
		if b := button(w, "Delete"); b == nil || b.Importance != widget.DangerImportance {
			t.Error("the delete dialog's Delete is not styled as destructive")
		}
	})
}
