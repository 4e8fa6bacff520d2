package ui

import (
	"fyne.io/fyne/v2"
)

// rowMenu is the right-click menu of the list's row at index: what a
// mail program offers for a message. Open, Reply and Forward open the
// message first (Reply and Forward go on once it is shown); the others
// act on the row's message without opening it.
func (l *messageList) rowMenu(index int) *fyne.Menu {
	it := l.items[index]
	id := it.id
	u := l.u
	open := func(then func()) func() {
		return func() {
			for i := range l.items { // the rows may have moved since the menu showed
				if l.items[i].id == id {
					u.reader.whenOpen(id, then)
					l.widget.Select(i)
					return
				}
			}
		}
	}
	read := fyne.NewMenuItem("Mark unread", func() { u.setRead(id, false) })
	if !it.read {
		read = fyne.NewMenuItem("Mark read", func() { u.setRead(id, true) })
	}
	items := []*fyne.MenuItem{
		fyne.NewMenuItem("Open", open(nil)),
		fyne.NewMenuItem("Reply", open(func() { u.reader.handOff(replyLink) })),
		fyne.NewMenuItem("Forward", open(u.reader.forward)),
		read,
		fyne.NewMenuItem("Delete", func() { u.deleteMessage(id) }),
		fyne.NewMenuItemSeparator(),
	}
	if t := it.text; t != nil {
		items = append(items,
			fyne.NewMenuItem("Copy subject", func() { u.reader.copyText(t.subject, "Subject") }),
			fyne.NewMenuItem("Copy sender", func() { u.reader.copyText(t.from, "Sender") }))
	}
	return fyne.NewMenu("", items...)
}
