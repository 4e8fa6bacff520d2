package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
)

// forward hands a forward of the open message to the mail program. A
// mailto: address carries text only: where the message has attachments,
// it says so first and offers to save them, to attach in the mail
// program.
func (r *reader) forward() {
	v := r.view
	if v == nil {
		return
	}
	listed := r.listedAttachments(v)
	if len(listed) == 0 {
		r.handOff(forwardLink)
		return
	}
	what := "its attachment"
	if len(listed) > 1 {
		what = fmt.Sprintf("its %d attachments", len(listed))
	}
	msg := widget.NewLabel(fmt.Sprintf("popvault hands a forward to your mail program as text: it cannot pass on %s that way. "+
		"Save them, then attach them in your mail program's message.", what))
	msg.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustomWithoutButtons("Forward without attachments?", msg, r.u.win)
	save := r.u.dialogButton("Save attachments…", func() {
		d.Hide()
		if len(listed) == 1 {
			r.saveAttachment(listed[0])
		} else {
			r.saveAll()
		}
	})
	save.Importance = widget.HighImportance
	text := r.u.dialogButton("Forward the text only", func() {
		d.Hide()
		r.u.handOff(toMailProgram, forwardLink(v))
	})
	d.SetButtons([]fyne.CanvasObject{r.u.dialogButton("Cancel", d.Hide), text, save})
	d.Resize(fyne.NewSize(520, 200))
	r.u.showDialog(d, nil)
	r.asked = d
}

// SecondaryTapped shows the reader's menu: copy what is selected or the
// link under the pointer, select all, and what can be done with the
// message.
func (l *lineView) SecondaryTapped(ev *fyne.PointEvent) {
	r := l.r
	copySel := fyne.NewMenuItem("Copy", r.copySelection)
	copySel.Disabled = r.sel.empty()
	items := []*fyne.MenuItem{copySel}
	if link := l.linkAt(ev.Position.X); link != "" {
		items = append(items, fyne.NewMenuItem("Copy link address", func() { r.copyText(link, "Link address") }))
	}
	items = append(items, fyne.NewMenuItem("Select all", r.selectAll), fyne.NewMenuItemSeparator())
	items = append(items, r.messageItems()...)
	r.menu = fyne.NewMenu("", items...)
	widget.ShowPopUpMenuAtPosition(r.menu, r.u.win.Canvas(), ev.AbsolutePosition)
}

// messageItems are the menu items for the open message, in the reader's
// menu and its … button.
func (r *reader) messageItems() []*fyne.MenuItem {
	return []*fyne.MenuItem{
		fyne.NewMenuItem("Reply", func() { r.handOff(replyLink) }),
		fyne.NewMenuItem("Forward", r.forward),
		fyne.NewMenuItem("Mark unread", r.markUnread),
		fyne.NewMenuItem("Delete", r.deleteMessage),
	}
}

// attachmentRow is an attachment's line in the reader: its right-click
// menu opens or saves it.
type attachmentRow struct {
	widget.BaseWidget
	r       *reader
	a       archive.Attachment
	content fyne.CanvasObject
}

func newAttachmentRow(r *reader, a archive.Attachment, content fyne.CanvasObject) *attachmentRow {
	row := &attachmentRow{r: r, a: a, content: content}
	row.ExtendBaseWidget(row)
	return row
}

func (row *attachmentRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(row.content)
}

// SecondaryTapped shows the attachment's menu.
func (row *attachmentRow) SecondaryTapped(ev *fyne.PointEvent) {
	r, a := row.r, row.a
	r.menu = fyne.NewMenu("",
		fyne.NewMenuItem("Open", func() { r.openAttachment(a) }),
		fyne.NewMenuItem("Save attachment…", func() { r.saveAttachment(a) }),
		fyne.NewMenuItem("Copy name", func() { r.copyText(a.Name, "Name") }),
	)
	widget.ShowPopUpMenuAtPosition(r.menu, r.u.win.Canvas(), ev.AbsolutePosition)
}
