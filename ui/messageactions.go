package ui

import (
	"fmt"

	"fyne.io/fyne/v2/widget"
)

// deleteMessage asks, then deletes message id from the archive: from the
// list, and from the reader where it is the one open.
func (u *UI) deleteMessage(id uint64) {
	if u.asking != nil {
		return
	}
	d := u.ask("Delete message", "Delete this message from the archive? It is not deleted from any server, and fetching will not bring it back.", "Delete", "Keep", func(ok bool) {
		u.asking = nil
		if !ok {
			return
		}
		u.background(func() func() {
			err := u.arch.Delete(id)
			return func() {
				if err != nil {
					u.showError("Deleting failed", err)
					return
				}
				if u.reader.view != nil && u.reader.view.ID == id {
					u.reader.clear()
				}
				u.list.remove(id)
				u.refreshCounts()
			}
		})
	})
	d.yes.Importance = widget.DangerImportance // destructive, not the blue of a safe default
	u.asking = d
	u.showDialog(d, d.Confirm)
}

// setRead marks message id read or unread, in the archive and the list.
func (u *UI) setRead(id uint64, read bool) {
	u.background(func() func() {
		err := u.arch.SetRead(id, read)
		return func() {
			word := "unread"
			if read {
				word = "read"
			}
			if err != nil {
				u.showError(fmt.Sprintf("Marking the message %s failed", word), err)
				return
			}
			u.list.setRead(id, read)
			u.refreshCounts()
			u.setStatus("Marked " + word)
		}
	})
}
