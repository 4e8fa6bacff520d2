package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The controls of popvault's dialogs. Fyne hands every key to the widget
// that has the keyboard, and its own widgets drop Escape, so once a field
// or a button in a dialog had the keyboard (a Tab, a click) Escape no
// longer closed the dialog. Fyne has no window-wide key hook either
// (shortcuts need a modifier). So the dialogs are built of these: each is
// Fyne's widget, except that Escape goes to the window's escape (which
// closes the dialog on top), and that taking the keyboard scrolls it into
// view in a dialog that scrolls, as Tab is expected to.
//
// A widget.RadioGroup's items are unexported: dialogRadio (dialogradio.go)
// stands in for it. Fyne's file dialogs stay Fyne's: Escape does nothing
// in them once a control there has the keyboard.

// dialogEntry is a widget.Entry that passes Escape on.
type dialogEntry struct {
	widget.Entry
	escape func()
}

// dialogButton is a widget.Button that passes Escape on.
type dialogButton struct {
	widget.Button
	escape func()
}

// dialogCheck is a widget.Check that passes Escape on.
type dialogCheck struct {
	widget.Check
	escape func()
}

// dialogSelect is a widget.Select that passes Escape on.
type dialogSelect struct {
	widget.Select
	escape func()
}

// dialogLink is a widget.Hyperlink that passes Escape on.
type dialogLink struct {
	widget.Hyperlink
	escape func()
}

// dialogEntry is a field for a dialog.
func (u *UI) dialogEntry() *dialogEntry {
	e := &dialogEntry{escape: u.escape}
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip) // as widget.NewEntry
	e.ExtendBaseWidget(e)
	return e
}

// dialogPassword is a password field for a dialog, with the eye that
// shows what was typed (widget.NewPasswordEntry's is bound to its own
// Entry).
func (u *UI) dialogPassword() *dialogEntry {
	e := u.dialogEntry()
	e.Password = true
	e.ActionItem = newRevealer(e)
	return e
}

// dialogButton is a button for a dialog.
func (u *UI) dialogButton(text string, tapped func()) *dialogButton {
	b := &dialogButton{escape: u.escape}
	b.Text, b.OnTapped = text, tapped
	b.ExtendBaseWidget(b)
	return b
}

// dialogCheck is a check box for a dialog.
func (u *UI) dialogCheck(text string, changed func(bool)) *dialogCheck {
	c := &dialogCheck{escape: u.escape}
	c.Text, c.OnChanged = text, changed
	c.ExtendBaseWidget(c)
	return c
}

// dialogSelect is a choice for a dialog.
func (u *UI) dialogSelect(options []string, changed func(string)) *dialogSelect {
	s := &dialogSelect{escape: u.escape}
	s.Options, s.OnChanged = options, changed
	s.PlaceHolder = "(Select one)" // as widget.NewSelect
	s.ExtendBaseWidget(s)
	return s
}

// dialogLink is a link for a dialog; tapped opens it.
func (u *UI) dialogLink(text string, tapped func()) *dialogLink {
	h := &dialogLink{escape: u.escape}
	h.Text, h.OnTapped = text, tapped
	h.ExtendBaseWidget(h)
	return h
}

// TypedKey is called while the field has the keyboard.
func (e *dialogEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		e.escape()
		return
	}
	e.Entry.TypedKey(ev)
}

// FocusGained is called when the field takes the keyboard.
func (e *dialogEntry) FocusGained() { e.Entry.FocusGained(); intoView(e) }

// TypedKey is called while the button has the keyboard.
func (b *dialogButton) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		b.escape()
		return
	}
	b.Button.TypedKey(ev)
}

// FocusGained is called when the button takes the keyboard.
func (b *dialogButton) FocusGained() { b.Button.FocusGained(); intoView(b) }

// TypedKey is called while the check box has the keyboard.
func (c *dialogCheck) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		c.escape()
		return
	}
	c.Check.TypedKey(ev)
}

// FocusGained is called when the check box takes the keyboard.
func (c *dialogCheck) FocusGained() { c.Check.FocusGained(); intoView(c) }

// TypedKey is called while the choice has the keyboard.
func (s *dialogSelect) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		s.escape()
		return
	}
	s.Select.TypedKey(ev)
}

// FocusGained is called when the choice takes the keyboard.
func (s *dialogSelect) FocusGained() { s.Select.FocusGained(); intoView(s) }

// TypedKey is called while the link has the keyboard.
func (h *dialogLink) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name == fyne.KeyEscape {
		h.escape()
		return
	}
	h.Hyperlink.TypedKey(ev)
}

// FocusGained is called when the link takes the keyboard.
func (h *dialogLink) FocusGained() { h.Hyperlink.FocusGained(); intoView(h) }

// intoView scrolls the container.Scroll that holds o, if one does, just
// enough to show o whole (its top, if o is taller than the view).
func intoView(o fyne.CanvasObject) {
	d := fyne.CurrentApp().Driver()
	c := d.CanvasForObject(o)
	if c == nil {
		return
	}
	s := enclosingScroll(append(c.Overlays().List(), c.Content()), o)
	if s == nil {
		return
	}
	// Lay the content out at its size of now, as the scroll will: a field
	// above that grew (a note shown under it) has moved what is below.
	s.Content.Resize(s.Content.MinSize().Max(s.Size()))
	top := d.AbsolutePositionForObject(o).Y - d.AbsolutePositionForObject(s).Y // in the view
	bottom, view := top+o.Size().Height, s.Size().Height
	off := s.Offset
	switch {
	case top < 0:
		off.Y += top
	case bottom > view:
		off.Y += min(bottom-view, top)
	default:
		return
	}
	s.ScrollToOffset(off)
}

// enclosingScroll is the innermost container.Scroll over o under roots,
// or nil. Fyne keeps no parent links, so it walks down from the roots,
// through the containers popvault's dialogs are built of.
func enclosingScroll(roots []fyne.CanvasObject, o fyne.CanvasObject) *container.Scroll {
	var found *container.Scroll
	var walk func(c fyne.CanvasObject, in *container.Scroll) bool
	walk = func(c fyne.CanvasObject, in *container.Scroll) bool {
		if c == nil || !c.Visible() {
			return false
		}
		if c == o {
			found = in
			return true
		}
		var children []fyne.CanvasObject
		switch c := c.(type) {
		case *fyne.Container:
			children = c.Objects
		case *widget.PopUp:
			children = []fyne.CanvasObject{c.Content}
		case *container.Scroll:
			in, children = c, []fyne.CanvasObject{c.Content}
		case *widget.Form:
			for _, it := range c.Items {
				children = append(children, it.Widget)
			}
		case *widget.Accordion:
			for _, it := range c.Items {
				children = append(children, it.Detail)
			}
		case *dialogEntry:
			children = []fyne.CanvasObject{c.ActionItem}
		case *dialogRadio:
			children = c.box.Objects
		}
		for _, child := range children {
			if walk(child, in) {
				return true
			}
		}
		return false
	}
	for _, r := range roots {
		if walk(r, nil) {
			break
		}
	}
	return found
}

// revealer is the eye at the end of a password field: a tap shows or
// hides what was typed, as widget.NewPasswordEntry's does.
type revealer struct {
	widget.BaseWidget
	entry *dialogEntry
	icon  *canvas.Image
}

func newRevealer(e *dialogEntry) *revealer {
	r := &revealer{entry: e, icon: canvas.NewImageFromResource(theme.VisibilityOffIcon())}
	r.ExtendBaseWidget(r)
	return r
}

// Tapped shows or hides the password, and gives the field the keyboard.
func (r *revealer) Tapped(*fyne.PointEvent) {
	if r.entry.Disabled() {
		return
	}
	r.entry.Password = !r.entry.Password
	r.entry.Refresh()
	r.Refresh()
	if c := fyne.CurrentApp().Driver().CanvasForObject(r); c != nil {
		c.Focus(r.entry)
	}
}

func (r *revealer) CreateRenderer() fyne.WidgetRenderer {
	return &revealerRenderer{WidgetRenderer: widget.NewSimpleRenderer(r.icon), r: r}
}

type revealerRenderer struct {
	fyne.WidgetRenderer
	r *revealer
}

func (rr *revealerRenderer) Layout(size fyne.Size) {
	side := theme.IconInlineSize()
	rr.r.icon.Resize(fyne.NewSquareSize(side))
	rr.r.icon.Move(fyne.NewPos((size.Width-side)/2, (size.Height-side)/2))
}

func (rr *revealerRenderer) MinSize() fyne.Size {
	return fyne.NewSquareSize(theme.IconInlineSize() + 2*theme.InnerPadding())
}

func (rr *revealerRenderer) Refresh() {
	res := theme.VisibilityOffIcon()
	if !rr.r.entry.Password {
		res = theme.VisibilityIcon()
	}
	if rr.r.entry.Disabled() {
		res = theme.NewDisabledResource(res)
	}
	rr.r.icon.Resource = res
	rr.r.icon.Refresh()
}

// askDialog is dialog.NewConfirm built of dialogButtons, so that Escape
// works on its buttons too. Escape, the dismiss button and Hide all
// answer no; the confirm button and Confirm answer yes; it answers once.
type askDialog struct {
	*dialog.CustomDialog
	yes      *dialogButton
	onDone   func(bool)
	answered bool
}

// ask is a question with two answers: no (dismiss), then yes (confirm,
// the one that stands out), under message, as Fyne's confirm dialog
// looks.
func (u *UI) ask(title, message, yes, no string, onDone func(bool)) *askDialog {
	a := &askDialog{CustomDialog: u.textDialog(title, message, theme.QuestionIcon()), onDone: onDone}
	dismiss := u.dialogButton(no, a.Hide)
	dismiss.Icon = theme.CancelIcon()
	a.yes = u.dialogButton(yes, a.Confirm)
	a.yes.Icon, a.yes.Importance = theme.ConfirmIcon(), widget.HighImportance
	a.SetButtons([]fyne.CanvasObject{dismiss, a.yes})
	u.fitText(a.CustomDialog, message)
	return a
}

// textDialog is a dialog that says message, centred, under title and
// icon, as Fyne's confirm and error dialogs do; buttons to be set.
func (u *UI) textDialog(title, message string, icon fyne.Resource) *dialog.CustomDialog {
	label := &widget.Label{Text: message, Alignment: fyne.TextAlignCenter, Wrapping: fyne.TextWrapWord}
	d := dialog.NewCustomWithoutButtons(title, label, u.win)
	d.SetIcon(icon)
	return d
}

// fitText makes a text dialog as wide as its message on one line, up to
// what Fyne's own allow.
func (u *UI) fitText(d *dialog.CustomDialog, message string) {
	const padWidth = 32 // Fyne's dialogs' own
	w := min(widget.NewLabel(message).MinSize().Width+padWidth+2*theme.Padding(), 600, u.win.Canvas().Size().Width*.9)
	d.Resize(fyne.NewSize(w, d.MinSize().Height))
}

// Hide closes the dialog, answering no unless it was answered.
func (a *askDialog) Hide() { a.answer(false) }

// Confirm closes the dialog, answering yes.
func (a *askDialog) Confirm() { a.answer(true) }

func (a *askDialog) answer(yes bool) {
	if a.answered {
		return
	}
	a.answered = true
	a.CustomDialog.Hide()
	if a.onDone != nil {
		a.onDone(yes)
	}
}

// custom is dialog.NewCustom with a dialogButton to dismiss it.
func (u *UI) custom(title, dismiss string, content fyne.CanvasObject) *dialog.CustomDialog {
	d := dialog.NewCustomWithoutButtons(title, content, u.win)
	d.SetButtons([]fyne.CanvasObject{u.dialogButton(dismiss, d.Hide)})
	return d
}

// hideCalls is a dialog whose Hide, as Escape calls it, runs hide
// instead: what its one button does, where closing is not enough.
type hideCalls struct {
	dialog.Dialog
	hide func()
}

func (h hideCalls) Hide() { h.hide() }
