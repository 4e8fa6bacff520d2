package ui

import (
	"image"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"popvault/fetch/pop3test"
)

// onScreen is the reader's line widget showing line id on the window,
// or nil. Call it on the UI goroutine.
func onScreen(u *UI, id int) *lineView {
	var found *lineView
	walkShown([]fyne.CanvasObject{u.win.Content()}, func(o fyne.CanvasObject) {
		if v, ok := o.(*lineView); ok && v.id == id && len(v.line.Segs) > 0 {
			found = v
		}
	})
	return found
}

// drag drags from column from of line a to column to of line b, as the
// driver reports it: to the line the drag began on, relative to it,
// where the lines are on the window.
func drag(u *UI, a int, from int, b int, to int) {
	d := fyne.CurrentApp().Driver()
	va, vb := onScreen(u, a), onScreen(u, b)
	start := fyne.NewPos(va.xAt(from)+1, 4)
	end := d.AbsolutePositionForObject(vb).Add(fyne.NewPos(vb.xAt(to)+1, 4))
	endRel := end.Subtract(d.AbsolutePositionForObject(va))
	delta := endRel.Subtract(start)
	va.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: endRel, AbsolutePosition: end}, Dragged: fyne.NewDelta(delta.X, delta.Y)})
	va.DragEnd()
}

// TestReaderSelection: a drag selects across lines and Ctrl+C copies it
// (an order number, an address); Ctrl+A selects the whole message; a
// table's cells copy apart; a tap drops the selection; "Copy link
// address" copies a link.
func TestReaderSelection(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	storeAndOpen(t, u, "From: shop@example.org\r\nSubject: Order\r\nContent-Type: text/html\r\n\r\n"+
		"<p>Order number 4711</p><p>Ship to: 12 Main Street</p>"+
		`<table><tr><th>Item</th><th>Price</th></tr><tr><td>Tea</td><td>12.50</td></tr></table><p><a href="https://shop.example/track">Track it</a></p>`+"\r\n")
	sc := w.Canvas().(fyne.Shortcutable)
	clip := func() string { return fyne.CurrentApp().Clipboard().Content() }
	eventually(t, "the lines on screen", func() bool { return onScreen(u, 0) != nil && onScreen(u, 2) != nil })
	var texts []string
	ui(func() { texts = u.reader.texts })
	if texts[0] != "Order number 4711" || texts[2] != "Ship to: 12 Main Street" {
		t.Fatalf("lines %q", texts)
	}

	ui(func() {
		drag(u, 0, 13, 2, 8)
		sc.TypedShortcut(&fyne.ShortcutCopy{})
	})
	if got := clip(); got != "4711\n\nShip to:" {
		t.Errorf("a drag copied %q", got)
	}
	ui(func() {
		drag(u, 2, 9, 2, 23) // backwards works too: the same columns
		sc.TypedShortcut(&fyne.ShortcutCopy{})
	})
	if got := clip(); got != "12 Main Street" {
		t.Errorf("a drag within a line copied %q", got)
	}

	ui(func() {
		sc.TypedShortcut(&fyne.ShortcutSelectAll{})
		sc.TypedShortcut(&fyne.ShortcutCopy{})
	})
	want := "Order number 4711\n\nShip to: 12 Main Street\n\nItem Price\nTea 12.50\n\nTrack it"
	if got := clip(); got != want {
		t.Errorf("Ctrl+A, Ctrl+C copied %q, want %q", got, want)
	}

	// A tap drops it; Copy then copies nothing, and says how to select.
	fyne.CurrentApp().Clipboard().SetContent("before")
	ui(func() {
		test.Tap(onScreen(u, 0))
		sc.TypedShortcut(&fyne.ShortcutCopy{})
	})
	if got := clip(); got != "before" || u.status.Text == "" {
		t.Errorf("after a tap, Copy copied %q and said %q", got, u.status.Text)
	}

	// Copy link address, from the link's right-click menu.
	var link *lineView
	ui(func() {
		for i, l := range u.reader.lines {
			if len(l.Segs) > 0 && l.Segs[0].Link != "" {
				link = newLineView(u.reader)
				link.set(i, l, false)
			}
		}
		link.SecondaryTapped(&fyne.PointEvent{Position: fyne.NewPos(link.segX[0]+2, 4)})
	})
	tapMenu(t, u.reader.menu, "Copy link address")
	if got := clip(); got != "https://shop.example/track" {
		t.Errorf("Copy link address copied %q", got)
	}
}

// tapMenu does a menu's item, by its label.
func tapMenu(t *testing.T, m *fyne.Menu, label string) {
	t.Helper()
	if m == nil {
		t.Fatal("no menu")
	}
	for _, it := range m.Items {
		if it.Label == label {
			if it.Disabled {
				t.Fatalf("%s is disabled", label)
			}
			ui(it.Action)
			return
		}
	}
	t.Fatalf("no %q in the menu", label)
}

// TestReaderLinesDoNotHighlight: the pointer over a line of the body
// changes nothing drawn, where the List around it lights a row.
func TestReaderLinesDoNotHighlight(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	storeAndOpen(t, u, "From: a@example.org\r\nSubject: s\r\n\r\nA line to point at.\r\n")
	eventually(t, "the line on screen", func() bool { return onScreen(u, 0) != nil })
	var before, after image.Image
	ui(func() {
		at := fyne.CurrentApp().Driver().AbsolutePositionForObject(onScreen(u, 0)).Add(fyne.NewPos(20, 5))
		before = w.Canvas().Capture()
		test.MoveMouse(w.Canvas(), at)
		after = w.Canvas().Capture()
	})
	if !sameImage(before, after) {
		t.Error("the line under the pointer is drawn otherwise")
	}
}

func sameImage(a, b image.Image) bool {
	if a.Bounds() != b.Bounds() {
		return false
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if a.At(x, y) != b.At(x, y) {
				return false
			}
		}
	}
	return true
}
