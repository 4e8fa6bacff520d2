package ui

import (
	"image/color"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// dialogRadio is widget.RadioGroup for a dialog (see dialogkeys.go): the
// keyboard goes to a RadioGroup's items, which are unexported and drop
// Escape, so the group is drawn here, item by item, as Fyne draws it.
// Options, Selected, Required and OnChanged mean what they mean there.
type dialogRadio struct {
	widget.BaseWidget
	Options   []string
	Selected  string
	Required  bool // a tap on the chosen option keeps it chosen
	OnChanged func(string)

	escape func()
	items  []*radioChoice
	box    *fyne.Container
}

// dialogRadio is a set of choices, one at most chosen, for a dialog.
func (u *UI) dialogRadio(options []string, changed func(string)) *dialogRadio {
	r := &dialogRadio{Options: options, OnChanged: changed, escape: u.escape, box: container.New(layout.NewCustomPaddedVBoxLayout(0))} // no gap, as Fyne's
	r.ExtendBaseWidget(r)
	r.update()
	return r
}

// SetSelected chooses option ("" for none), telling OnChanged when that
// changes the choice.
func (r *dialogRadio) SetSelected(option string) {
	if r.Selected == option {
		return
	}
	r.Selected = option
	if r.OnChanged != nil {
		r.OnChanged(option)
	}
	r.Refresh()
}

// Refresh draws the options, which may have changed, and the choice.
func (r *dialogRadio) Refresh() {
	r.update()
	r.BaseWidget.Refresh()
}

// update makes one item per option and marks the chosen one.
func (r *dialogRadio) update() {
	if len(r.items) != len(r.Options) || !slices.EqualFunc(r.items, r.Options, func(c *radioChoice, o string) bool { return c.label == o }) {
		r.items = r.items[:0]
		r.box.RemoveAll()
		for _, o := range r.Options {
			c := &radioChoice{label: o, group: r}
			c.ExtendBaseWidget(c)
			r.items = append(r.items, c)
			r.box.Add(c)
		}
	}
	for _, c := range r.items {
		c.Refresh()
	}
}

func (r *dialogRadio) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.box)
}

// choose is a tap or Space on option c.
func (r *dialogRadio) choose(c *radioChoice) {
	if c.label == r.Selected {
		if r.Required {
			return
		}
		r.SetSelected("")
		return
	}
	r.SetSelected(c.label)
}

// radioChoice is one option of a dialogRadio: a Tab stop that takes
// Space to choose it and passes Escape on.
type radioChoice struct {
	widget.BaseWidget
	label            string
	group            *dialogRadio
	focused, hovered bool
}

// Tapped chooses the option, and gives it the keyboard, as Fyne's does.
func (c *radioChoice) Tapped(*fyne.PointEvent) {
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c); cv != nil && !c.focused && !fyne.CurrentDevice().IsMobile() {
		cv.Focus(c)
	}
	c.group.choose(c)
}

// TypedRune chooses the option on Space.
func (c *radioChoice) TypedRune(r rune) {
	if r == ' ' {
		c.group.choose(c)
	}
}

// TypedKey passes Escape to the window's escape.
func (c *radioChoice) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		c.group.escape()
	}
}

// FocusGained shows the focus, and the option, in a dialog that scrolls.
func (c *radioChoice) FocusGained() { c.focused = true; c.Refresh(); intoView(c) }

// FocusLost hides the focus.
func (c *radioChoice) FocusLost() { c.focused = false; c.Refresh() }

// MouseIn, MouseMoved and MouseOut show the hover, as Fyne's does.
func (c *radioChoice) MouseIn(*desktop.MouseEvent)    { c.hovered = true; c.Refresh() }
func (c *radioChoice) MouseMoved(*desktop.MouseEvent) {}
func (c *radioChoice) MouseOut()                      { c.hovered = false; c.Refresh() }

func (c *radioChoice) CreateRenderer() fyne.WidgetRenderer {
	r := &radioChoiceRenderer{c: c, focus: &canvas.Circle{}, in: &canvas.Image{}, out: &canvas.Image{},
		text: &canvas.Text{Alignment: fyne.TextAlignLeading}}
	r.WidgetRenderer = widget.NewSimpleRenderer(container.NewWithoutLayout(r.focus, r.in, r.out, r.text))
	r.Refresh()
	return r
}

// radioChoiceRenderer draws an option as Fyne 2.7's radio item does: a
// focus or hover circle, the button's fill and ring, the label.
type radioChoiceRenderer struct {
	fyne.WidgetRenderer
	c       *radioChoice
	focus   *canvas.Circle
	in, out *canvas.Image
	text    *canvas.Text
}

func (r *radioChoiceRenderer) Layout(size fyne.Size) {
	inner, border, icon := theme.InnerPadding(), theme.InputBorderSize(), theme.IconInlineSize()
	ring := fyne.NewSquareSize(icon + inner)
	r.focus.Resize(ring)
	r.focus.Move(fyne.NewPos(border, (size.Height-ring.Height)/2))
	r.text.Resize(size)
	r.text.Move(fyne.NewPos(ring.Width+theme.Padding(), 0))
	pos := fyne.NewPos(inner/2+border, (size.Height-icon)/2)
	for _, img := range []*canvas.Image{r.in, r.out} {
		img.Resize(fyne.NewSquareSize(icon))
		img.Move(pos)
	}
}

func (r *radioChoiceRenderer) MinSize() fyne.Size {
	pad := theme.InnerPadding() * 2
	return r.text.MinSize().AddWidthHeight(pad+theme.IconInlineSize()+theme.Padding(), pad)
}

func (r *radioChoiceRenderer) Refresh() {
	r.text.Text, r.text.TextSize, r.text.Color = r.c.label, theme.TextSize(), theme.Color(theme.ColorNameForeground)
	out := theme.NewThemedResource(theme.RadioButtonIcon())
	out.ColorName = theme.ColorNameInputBorder
	in := theme.NewThemedResource(theme.RadioButtonFillIcon())
	in.ColorName = theme.ColorNameInputBackground
	if r.c.label == r.c.group.Selected {
		in.ColorName, out.ColorName = theme.ColorNamePrimary, theme.ColorNameForeground
	}
	r.in.Resource, r.out.Resource = in, out
	switch {
	case r.c.focused:
		r.focus.FillColor = theme.Color(theme.ColorNameFocus)
	case r.c.hovered:
		r.focus.FillColor = theme.Color(theme.ColorNameHover)
	default:
		r.focus.FillColor = color.Transparent
	}
	r.focus.Refresh()
	r.in.Refresh()
	r.out.Refresh()
	r.text.Refresh()
}
