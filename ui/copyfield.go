package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// copyField is a value to copy: a header in the reader (From, To, Cc,
// Date), the archive's path in Settings. Tab reaches it and a click
// focuses it, and while focused it is drawn on the theme's focus colour,
// as Fyne draws a focused button; Ctrl+C or the right-click menu copies
// it whole. A selectable Label would be a Tab stop that shows nothing
// when reached and that the keyboard cannot copy from.
type copyField struct {
	widget.BaseWidget
	name    string // "From": what the menu offers to copy
	label   *widget.Label
	focus   *canvas.Rectangle
	focused bool
	copy    func(text, name string)
	key     func(*fyne.KeyEvent) // where keys go on to, or nil
}

// copyText puts text on the clipboard, and says what was copied.
func (u *UI) copyText(text, what string) {
	u.app.Clipboard().SetContent(text)
	u.setStatus(what + " copied")
}

func newCopyField(name, value string, copy func(text, name string), key func(*fyne.KeyEvent)) *copyField {
	f := &copyField{name: name, label: widget.NewLabel(value), focus: canvas.NewRectangle(theme.Color(theme.ColorNameFocus)),
		copy: copy, key: key}
	f.label.Wrapping = fyne.TextWrapWord
	f.focus.CornerRadius = theme.InputRadiusSize()
	f.focus.Hide()
	f.ExtendBaseWidget(f)
	return f
}

func (f *copyField) CreateRenderer() fyne.WidgetRenderer {
	return &copyFieldRenderer{WidgetRenderer: widget.NewSimpleRenderer(container.NewStack(f.focus, f.label)), f: f}
}

type copyFieldRenderer struct {
	fyne.WidgetRenderer
	f *copyField
}

// Refresh draws the focus in the theme's colour of the moment.
func (r *copyFieldRenderer) Refresh() {
	r.f.focus.FillColor = theme.Color(theme.ColorNameFocus)
	r.f.focus.Hidden = !r.f.focused
	r.WidgetRenderer.Refresh()
}

// FocusGained shows the focus, and the field, in a dialog that scrolls.
func (f *copyField) FocusGained() {
	f.focused = true
	f.Refresh()
	intoView(f)
}

// FocusLost hides it.
func (f *copyField) FocusLost() {
	f.focused = false
	f.Refresh()
}

func (f *copyField) TypedRune(rune) {}

// TypedKey hands keys on (in the reader, to the window: Escape, the page
// keys), so that the field holds on to none of them.
func (f *copyField) TypedKey(ev *fyne.KeyEvent) {
	if f.key != nil {
		f.key(ev)
	}
}

// TypedShortcut copies the value on Ctrl+C.
func (f *copyField) TypedShortcut(s fyne.Shortcut) {
	if _, ok := s.(*fyne.ShortcutCopy); ok {
		f.copy(f.label.Text, f.name)
	}
}

// Tapped focuses the field, to copy it with the keyboard.
func (f *copyField) Tapped(*fyne.PointEvent) {
	if c := fyne.CurrentApp().Driver().CanvasForObject(f); c != nil {
		c.Focus(f)
	}
}

// SecondaryTapped offers to copy it.
func (f *copyField) SecondaryTapped(ev *fyne.PointEvent) {
	c := fyne.CurrentApp().Driver().CanvasForObject(f)
	if c == nil {
		return
	}
	menu := fyne.NewMenu("", fyne.NewMenuItem("Copy "+f.name, func() { f.copy(f.label.Text, f.name) }))
	widget.ShowPopUpMenuAtPosition(menu, c, ev.AbsolutePosition)
}
