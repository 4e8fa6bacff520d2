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
type fieldNotes map[*widget.Entry]*widget.Label

// wrap puts e in the form with its note beneath.
func (n fieldNotes) wrap(e *widget.Entry) fyne.CanvasObject {
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
func (n fieldNotes) say(e *widget.Entry, text string) bool {
	if l := n[e]; l != nil {
		setNote(l, text)
	}
	return text != ""
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
	field *widget.Entry
	text  string
}

func (e *fieldError) Error() string { return e.text }
