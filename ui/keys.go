package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// keyedDialog is the dialog the keyboard answers while it shows: Escape
// dismisses it, Enter does what its default button does. Fyne's dialogs
// leave both to the mouse.
type keyedDialog struct {
	d      dialog.Dialog
	enter  func()
	under  *keyedDialog // the dialog the keyboard answers again once d closes
	closed bool
}

// showDialog shows d, answering Escape (its dismiss) and Enter (enter,
// when set) until it closes; then the dialog under it, if one is open,
// answers them again.
func (u *UI) showDialog(d dialog.Dialog, enter func()) {
	k := &keyedDialog{d: d, enter: enter, under: u.dialog}
	u.dialog = k
	d.SetOnClosed(func() {
		k.closed = true
		for u.dialog != nil && u.dialog.closed {
			u.dialog = u.dialog.under
		}
	})
	d.Show()
}

// windowKey takes the keys no focused widget took. While a dialog shows,
// Fyne gives the keyboard to it, so they come here too.
func (u *UI) windowKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyEscape:
		u.escape()
	case fyne.KeyReturn, fyne.KeyEnter:
		if u.dialog != nil && u.dialog.enter != nil {
			u.dialog.enter()
		}
	case fyne.KeyDelete:
		if !u.overlayShown() {
			u.reader.deleteMessage()
		}
	case fyne.KeyPageDown, fyne.KeyPageUp, fyne.KeySpace:
		if !u.overlayShown() {
			u.reader.scrollKey(ev.Name)
		}
	}
}

// overlayShown reports whether a dialog or pop-up covers the window.
func (u *UI) overlayShown() bool { return u.win.Canvas().Overlays().Top() != nil }

// escape is Escape anywhere in the window: it closes the dialog or menu
// on top; else it clears the search; else the reader's selection.
func (u *UI) escape() {
	switch {
	case u.dialog != nil:
		u.dialog.d.Hide()
	case u.overlayShown():
		u.win.Canvas().Overlays().Top().Hide()
	case u.search.Text != "":
		u.search.SetText("")
	default:
		u.reader.selectNone()
	}
}

// searchEntry is the search box: Escape clears it, as in a mail
// program's, where a plain Entry ignores it.
type searchEntry struct {
	widget.Entry
	onEscape func()
}

func newSearchEntry() *searchEntry {
	e := &searchEntry{}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey is called while the search box has the keyboard.
func (e *searchEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape && e.onEscape != nil {
		e.onEscape()
		return
	}
	e.Entry.TypedKey(ev)
}

// scrollKey scrolls the message a page: down for Page Down and Space, up
// for Page Up, keeping a line of the page before in view.
func (r *reader) scrollKey(key fyne.KeyName) {
	if r.view == nil {
		return
	}
	page := max(r.body.Size().Height-newLineView(r).MinSize().Height, 1)
	if key == fyne.KeyPageUp {
		page = -page
	}
	r.body.ScrollToOffset(r.body.GetScrollOffset() + page)
}
