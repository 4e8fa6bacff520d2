package ui

import (
	"fmt"
	"image"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"popvault/fetch/pop3test"
)

// TestEveryTabStopShowsFocus walks the window with Tab, a message open
// (its headers, body and buttons), and then Settings with a sender whose
// pictures always load: at each stop the window, drawn, differs within
// the stop's bounds from the window with nothing focused. A stop that
// showed nothing, such as a List whose only mark is the hover colour on
// its selected row, fails.
func TestEveryTabStopShowsFocus(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	storeAndOpen(t, u, string(testMail[0].Data), string(testMail[1].Data))
	ui(func() { u.list.reload() })
	eventually(t, "the list", func() bool { return len(u.list.items) == 2 })
	ui(func() { u.list.widget.Select(0) })
	eventually(t, "the message open", func() bool { return u.reader.view != nil })

	stops := walkTab(t, w)
	for _, want := range []string{"*ui.mailList", "*ui.ringList", "*ui.copyField", "*ui.searchEntry", "*widget.Button", "*widget.Check"} {
		if stops[want] == 0 {
			t.Errorf("Tab never reaches a %s; it reached %v", want, stops)
		}
	}

	ui(func() {
		u.app.Preferences().SetStringList(prefAlwaysPictures, []string{"news@shop.example"})
		u.showSettings()
	})
	eventually(t, "Settings", func() bool { return removeButton(w, "news@shop.example") != nil })
	walkTab(t, w)
}

// walkTab tabs through the window's stops (or its dialog's) once round,
// checking each shows its focus, and counts them by type.
func walkTab(t *testing.T, w fyne.Window) map[string]int {
	t.Helper()
	stops := map[string]int{}
	c := w.Canvas()
	var first fyne.Focusable
	for i := 0; i < 60; i++ {
		var name string
		var shows bool
		ui(func() {
			c.FocusNext()
			f := c.Focused()
			if f == nil || f == first {
				f = nil
				return
			}
			if first == nil {
				first = f
			}
			o := f.(fyne.CanvasObject)
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
			name = fmt.Sprintf("%T at %v, %v", f, pos, o.Size())
			stops[fmt.Sprintf("%T", f)]++
			focused := c.Capture()
			c.Unfocus()
			plain := c.Capture()
			c.Focus(f)
			shows = differsWithin(focused, plain, pos, o.Size(), c.Scale())
		})
		if name == "" {
			break
		}
		if !shows {
			t.Errorf("the stop %s shows no focus", name)
		}
	}
	if len(stops) == 0 {
		t.Fatal("Tab reached nothing")
	}
	return stops
}

// differsWithin reports whether a and b differ in a pixel of the area
// at pos of size (in Fyne's units, scale pixels each), or just outside
// it, where a ring or a check's focus circle is drawn.
func differsWithin(a, b image.Image, pos fyne.Position, size fyne.Size, scale float32) bool {
	const margin = 6
	r := image.Rect(int((pos.X-margin)*scale), int((pos.Y-margin)*scale),
		int((pos.X+size.Width+margin)*scale), int((pos.Y+size.Height+margin)*scale)).Intersect(a.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				return true
			}
		}
	}
	return false
}

// TestBodyKeys: with the reader's body holding the keyboard (Tab reaches
// it), Space and Page Down scroll the message a page, as they do from
// the list, and Page Up back; none of them marks a line.
func TestBodyKeys(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	long := "From: a@example.org\r\nSubject: Long\r\n\r\n" + strings.Repeat("A line of a long message.\r\n\r\n", 200)
	storeAndOpen(t, u, long)
	eventually(t, "the message open", func() bool { return u.reader.view != nil && len(u.reader.lines) > 100 })
	selected := -1
	ui(func() {
		u.reader.body.OnSelected = func(id widget.ListItemID) { selected = id }
		w.Canvas().Focus(u.reader.body)
	})
	key := func(name fyne.KeyName) {
		ui(func() { w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: name}) })
	}
	offset := func() (o float32) { ui(func() { o = u.reader.body.GetScrollOffset() }); return o }
	key(fyne.KeySpace)
	one := offset()
	if one <= 0 || selected >= 0 {
		t.Fatalf("Space scrolled to %v, marked line %d", one, selected)
	}
	key(fyne.KeyPageDown)
	if two := offset(); two <= one {
		t.Fatalf("Page Down went from %v to %v", one, two)
	}
	key(fyne.KeyPageUp)
	if back := offset(); back != one {
		t.Fatalf("Page Up went to %v, not back to %v", back, one)
	}
}

// TestCopyFieldKeys: a focused header copies its value whole on Ctrl+C,
// and the archive's path, focused in Settings, lets Escape close it.
func TestCopyFieldKeys(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	storeAndOpen(t, u, string(testMail[0].Data))
	eventually(t, "the message open", func() bool { return u.reader.view != nil })
	ui(func() {
		var from *copyField
		walkShown([]fyne.CanvasObject{w.Content()}, func(o fyne.CanvasObject) {
			if f, ok := o.(*copyField); ok && f.name == "From" {
				from = f
			}
		})
		if from == nil {
			t.Error("no From field")
			return
		}
		w.Canvas().Focus(from)
		from.TypedShortcut(&fyne.ShortcutCopy{})
		if got := u.app.Clipboard().Content(); got != u.reader.view.From {
			t.Errorf("copied %q, want %q", got, u.reader.view.From)
		}
		u.showSettings()
	})
	ui(func() {
		var path *copyField
		walkShown(w.Canvas().Overlays().List(), func(o fyne.CanvasObject) {
			if f, ok := o.(*copyField); ok && f.label.Text == u.opts.ArchivePath {
				path = f
			}
		})
		if path == nil {
			t.Error("no archive path in Settings")
			return
		}
		w.Canvas().Focus(path)
		w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if u.overlayShown() {
			t.Error("Escape left Settings open")
		}
	})
}
