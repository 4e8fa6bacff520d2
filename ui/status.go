package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// The status line says what the list shows ("40 messages", "12
// conversations of 40 messages", "3 messages match") after each change
// to it: a search typed or cleared, Conversations on or off, a delete.
// It leaves a line that something else wrote (a fetch's result) until
// the person changes the list.

// listStatus is the status line's sentence for what the list shows.
func (l *messageList) listStatus() string {
	switch {
	case l.u.search.Text != "":
		return searchStatus(l.matches)
	case l.threads != nil:
		return fmt.Sprintf("%s of %s", plural(len(l.items), "conversation"), plural(l.threadMessages, "message"))
	}
	return plural(l.total, "message")
}

// sayStatus puts s on the status line where the line is the list's own,
// or told is set (the person changed the list); the list's own is what
// it said last.
func (l *messageList) sayStatus(s string, told bool) {
	if told || l.u.status.Text == "" || l.u.status.Text == l.said {
		l.u.setStatus(s)
		l.said = s
	}
}

// emptyText is the sentence an empty list shows: why it is empty, and
// what to do.
func (l *messageList) emptyText() string {
	switch {
	case l.u.search.Text != "":
		return fmt.Sprintf("No messages match “%s”. Check the spelling or try fewer words; Escape clears the search.", l.u.search.Text)
	case len(l.u.accounts) == 0 && l.u.selected == "":
		return "No mail yet. Add an account (the button above) to back up a mailbox."
	case l.u.selected != "":
		return fmt.Sprintf("No mail from %s in the archive yet. Fetch (Ctrl+R) brings it in.", l.u.selected)
	}
	return "No mail in the archive yet. Fetch (Ctrl+R) brings it in."
}

// newEmptyNote is the label shown over an empty list.
func newEmptyNote() *widget.Label {
	note := widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	note.Wrapping = fyne.TextWrapWord
	note.Hide()
	return note
}

// showEmpty shows the empty list's sentence, or hides it where the list
// has rows.
func (l *messageList) showEmpty() {
	if len(l.items) > 0 {
		l.empty.Hide()
		return
	}
	l.empty.SetText(l.emptyText())
	l.empty.Show()
}
