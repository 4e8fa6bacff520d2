package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Fyne's List shows that it has the keyboard only by the hover colour
// on its current row: on a selected row, or on a line of the reader,
// nothing shows. A list that Tab reaches gets a ring instead, in the
// colour Fyne's Entry draws its focused border in.

// focusRing is the ring a focusable widget draws around itself while it
// has the keyboard.
type focusRing struct{ rect *canvas.Rectangle }

func newFocusRing() focusRing {
	r := canvas.NewRectangle(nil)
	r.StrokeWidth = theme.InputBorderSize() * 2
	r.CornerRadius = theme.InputRadiusSize()
	r.Hide()
	return focusRing{rect: r}
}

// show shows the ring, or hides it, in the theme's colour of the moment.
func (f focusRing) show(on bool) {
	f.rect.StrokeColor = theme.Color(theme.ColorNamePrimary)
	f.rect.Hidden = !on
	f.rect.Refresh()
}

// wrap adds the ring to a widget's renderer, over its objects, as big as
// the widget.
func (f focusRing) wrap(r fyne.WidgetRenderer) fyne.WidgetRenderer {
	return &ringRenderer{WidgetRenderer: r, ring: f.rect}
}

type ringRenderer struct {
	fyne.WidgetRenderer
	ring *canvas.Rectangle
}

func (r *ringRenderer) Layout(s fyne.Size) {
	r.WidgetRenderer.Layout(s)
	r.ring.Move(fyne.NewPos(0, 0))
	r.ring.Resize(s)
}

func (r *ringRenderer) Objects() []fyne.CanvasObject {
	return append(r.WidgetRenderer.Objects(), r.ring)
}

// ringList is Fyne's List with a focus ring.
type ringList struct {
	widget.List
	ring focusRing
	// otherKeys, where set, takes every key but Up and Down, which move
	// the list's focus mark: in the reader, Space would select a line of
	// the message as if it were a row, and the page keys and Escape
	// would stop at the list.
	otherKeys func(*fyne.KeyEvent)
}

func (l *ringList) TypedKey(ev *fyne.KeyEvent) {
	if l.otherKeys != nil && ev.Name != fyne.KeyUp && ev.Name != fyne.KeyDown {
		l.otherKeys(ev)
		return
	}
	l.List.TypedKey(ev)
}

// newRingList is widget.NewList with a focus ring.
func newRingList(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject)) *ringList {
	l := &ringList{ring: newFocusRing()}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	l.ExtendBaseWidget(l)
	return l
}

func (l *ringList) CreateRenderer() fyne.WidgetRenderer { return l.ring.wrap(l.List.CreateRenderer()) }

func (l *ringList) FocusGained() {
	l.List.FocusGained()
	l.ring.show(true)
}

func (l *ringList) FocusLost() {
	l.List.FocusLost()
	l.ring.show(false)
}
