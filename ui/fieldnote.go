package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// fieldNotes say, under a dialog's fields, what each lacks: inside the
// dialog, which stays open with what was typed. A note goes as soon as
// its field is typed in.
type fieldNotes map[*dialogEntry]*widget.Label

// wrap puts e in the form with its note beneath.
func (n fieldNotes) wrap(e *dialogEntry) fyne.CanvasObject {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.SizeName = theme.SizeNameCaptionText
	l.Hide()
	n[e] = l
	e.OnChanged = chain(e.OnChanged, func(string) { setNote(l, "") })
	return container.NewVBox(e, l)
}

// say shows text under e ("" hides it), and reports whether it said
// anything.
func (n fieldNotes) say(e *dialogEntry, text string) bool {
	if l := n[e]; l != nil {
		setNote(l, text)
	}
	return text != ""
}

// showFirst scrolls s to the highest note shown, so that what a field
// lacks is seen, in a dialog taller than its window.
func (n fieldNotes) showFirst(s *container.Scroll) {
	if s == nil {
		return
	}
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(s.Content).Y
	first := float32(-1)
	for e, l := range n {
		if l.Visible() {
			// The field above its note, so both show.
			if y := d.AbsolutePositionForObject(e).Y - top; first < 0 || y < first {
				first = y
			}
		}
	}
	if first < 0 {
		return
	}
	if first < s.Offset.Y || first+40 > s.Offset.Y+s.Size().Height {
		s.ScrollToOffset(fyne.NewPos(0, first))
	}
}

// chain runs first, then second.
func chain(first, second func(string)) func(string) {
	if first == nil {
		return second
	}
	return func(s string) { first(s); second(s) }
}

// fieldError is a form's error that belongs to one field.
type fieldError struct {
	field *dialogEntry
	text  string
}

func (e *fieldError) Error() string { return e.text }
