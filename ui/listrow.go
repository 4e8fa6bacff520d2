package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// rowView is a row of the message list: the sender, then an attachment
// icon, the size and the date on its first line; the subject; and a line
// of the body's text. Its right-click menu acts on its message.
type rowView struct {
	widget.BaseWidget
	l       *messageList
	index   int // the row's index in l.items
	from    *widget.Label
	clip    *widget.Icon
	count   *widget.Label
	size    *widget.Label
	date    *widget.Label
	subject *widget.Label
	preview *widget.Label
	ink     *previewInk // the preview's colour
	content *fyne.Container
}

func newRowView(l *messageList) *rowView {
	v := &rowView{l: l, index: -1}
	v.from = widget.NewLabel("sender")
	v.from.Truncation = fyne.TextTruncateEllipsis
	v.subject = widget.NewLabel("subject")
	v.subject.Truncation = fyne.TextTruncateEllipsis
	v.clip = widget.NewIcon(theme.MailAttachmentIcon())
	v.count = widget.NewLabel("")
	v.size = widget.NewLabel("999 KB")
	v.date = widget.NewLabel("2006-01-02")
	v.date.Alignment = fyne.TextAlignTrailing
	v.preview = widget.NewLabel("")
	v.preview.Truncation = fyne.TextTruncateEllipsis
	// Dimmed, as mail programs show it, but legible: previewInk gives the
	// colour Fyne's low importance (its disabled colour) would have.
	v.preview.Importance = widget.LowImportance
	v.ink = &previewInk{}
	top := container.New(rowTopLayout{}, v.from, v.clip, v.count, v.size, v.date)
	// Labels pad themselves; the rows need none between their lines.
	v.content = container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), top, v.subject,
		container.NewThemeOverride(v.preview, v.ink))
	v.ExtendBaseWidget(v)
	return v
}

func (v *rowView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(v.content) }

// set shows row s, the list's row at index.
func (v *rowView) set(index int, s *row) {
	v.index = index
	style := fyne.TextStyle{Bold: !s.read}
	v.from.TextStyle, v.subject.TextStyle = style, style
	preview := ""
	if s.text == nil { // on its way
		v.from.SetText("")
		v.subject.SetText("")
	} else {
		v.from.SetText(orDash(bidiText(s.text.from)))
		v.subject.SetText(orDash(bidiText(s.text.subject)))
		preview = bidiText(s.text.preview)
	}
	v.ink.selected = v.l.widget != nil && v.l.widget.cursor == index
	v.preview.Text = preview
	v.preview.Refresh() // its colour too, which follows the selection
	v.date.SetText(shortDate(time.Unix(s.date, 0)))
	v.size.SetText(humanSize(s.size))
	v.clip.Hidden = !s.attach || s.count > 1
	v.count.Hidden = s.count <= 1
	if s.count > 1 {
		v.count.SetText(fmt.Sprintf("%d messages", s.count))
	}
	v.content.Objects[0].Refresh()
}

// SecondaryTapped shows the row's menu.
func (v *rowView) SecondaryTapped(ev *fyne.PointEvent) {
	if v.index < 0 || v.index >= len(v.l.items) {
		return
	}
	v.l.menu = v.l.rowMenu(v.index)
	widget.ShowPopUpMenuAtPosition(v.l.menu, v.l.u.win.Canvas(), ev.AbsolutePosition)
}

// rowTopLayout lays out a row's first line: the sender on the left; the
// attachment icon, the thread's count, the size and the date on the
// right, the date right-aligned in a column of its own width, so that
// dates line up whatever their form. Where the row is narrow the sender
// keeps room first: the size gives way, then the date.
type rowTopLayout struct{}

// senderRoom is the width a sender keeps before the size and the date
// give way: about fourteen characters.
func senderRoom() float32 {
	return fyne.MeasureText("Mmmmmmmmmmmmmm", theme.TextSize(), fyne.TextStyle{Bold: true}).Width + 2*theme.InnerPadding()
}

// textWidth is how wide a label's whole text is drawn, where MinSize is
// only an ellipsis' for a label that truncates.
func textWidth(o fyne.CanvasObject) float32 {
	l, ok := o.(*widget.Label)
	if !ok {
		return o.MinSize().Width
	}
	return fyne.MeasureText(l.Text, theme.TextSize(), l.TextStyle).Width + 2*theme.InnerPadding()
}

// dateWidth is the date column's width: the widest date form.
func dateWidth() float32 {
	return fyne.MeasureText("2000-00-00", theme.TextSize(), fyne.TextStyle{}).Width + 2*theme.InnerPadding()
}

// sizeWidth is the size column's width.
func sizeWidth() float32 {
	return fyne.MeasureText("999 KB", theme.TextSize(), fyne.TextStyle{}).Width + 2*theme.InnerPadding()
}

func (rowTopLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	from, clip, count, sz, date := objs[0], objs[1], objs[2], objs[3], objs[4]
	h := size.Height
	// What goes on the right, in order from the edge, with its width;
	// dropped from the end of drop while the sender lacks room.
	type cell struct {
		o fyne.CanvasObject
		w float32
	}
	cells := []cell{{date, dateWidth()}, {sz, sizeWidth()}}
	if count.Visible() {
		cells = append(cells, cell{count, count.MinSize().Width})
	}
	if clip.Visible() {
		cells = append(cells, cell{clip, theme.IconInlineSize() + theme.Padding()})
	}
	width := func(cs []cell) (w float32) {
		for _, c := range cs {
			w += c.w
		}
		return w
	}
	room := min(senderRoom(), textWidth(from))
	shown := cells
	for _, drop := range []fyne.CanvasObject{sz, date} {
		if size.Width-width(shown) >= room {
			break
		}
		for i, c := range shown {
			if c.o == drop {
				shown = append(shown[:i:i], shown[i+1:]...)
				break
			}
		}
	}
	for _, c := range cells {
		c.o.Move(fyne.NewPos(-1000, 0)) // dropped ones are off the row
		c.o.Resize(fyne.NewSize(0, 0))
	}
	x := size.Width
	for _, c := range shown {
		x -= c.w
		ch := h
		if c.o == clip {
			ch = theme.IconInlineSize()
		}
		c.o.Move(fyne.NewPos(x, (h-ch)/2))
		c.o.Resize(fyne.NewSize(c.w, ch))
	}
	from.Move(fyne.NewPos(0, 0))
	from.Resize(fyne.NewSize(max(0, x), h))
}

// MinSize keeps the sender's room: the list narrows no further than
// that, the size and the date having given way.
func (rowTopLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	return fyne.NewSize(senderRoom(), objs[0].MinSize().Height)
}

// shortDate is the list's one rule for dates: the time for today, the
// month and day for this year, else the whole date.
func shortDate(t time.Time) string {
	t = t.Local()
	now := time.Now()
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("Jan 2")
	}
	return t.Format("2006-01-02")
}
