package ui

import (
	"errors"
	"fmt"
	"net/mail"
	"runtime/debug"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/archive/fulltext"
)

// messageList is the virtualized list of the selected mailbox, newest
// first. It loads a first page at once and the rest in the background, so
// a window over 100,000 messages paints without waiting, and keeps only
// what a row shows.
type messageList struct {
	u        *UI
	widget   *widget.List
	items    []row
	gen      int // bumped by each reload; stale loads are dropped
	selected uint64
	pending  *time.Timer
}

const firstPage, laterPages = 200, 5000

// row is what the list keeps of a message: about 100 bytes, so that
// 100,000 of them stay small.
type row struct {
	id            uint64
	date          int64 // Unix seconds
	size          int64
	from, subject string
	read, attach  bool
}

func toRows(msgs []*archive.Summary) []row {
	out := make([]row, len(msgs))
	for i, s := range msgs {
		out[i] = row{id: s.ID, date: s.Date.Unix(), size: s.Size, from: displayName(s.From),
			subject: s.Subject, read: s.Read, attach: s.HasAttachments}
	}
	return out
}

func newMessageList(u *UI) *messageList {
	l := &messageList{u: u}
	l.widget = widget.NewList(
		func() int { return len(l.items) },
		newRow,
		func(id widget.ListItemID, o fyne.CanvasObject) { updateRow(o, &l.items[id]) },
	)
	l.widget.OnSelected = func(id widget.ListItemID) {
		if id < len(l.items) {
			l.selected = l.items[id].id
			u.reader.open(l.items[id].id, l.items[id].read)
		}
	}
	return l
}

// reloadSoon reloads after typing pauses, so each keystroke does not
// start a search.
func (l *messageList) reloadSoon() {
	if l.pending != nil {
		l.pending.Stop()
	}
	l.pending = time.AfterFunc(150*time.Millisecond, func() { fyne.Do(l.reload) })
}

// reload queries the archive for the selected account and search.
func (l *messageList) reload() {
	l.gen++
	gen := l.gen
	q := archive.Query{Account: l.u.selected, Search: l.u.search.Text, Limit: firstPage}
	l.u.background(func() func() {
		page, err := l.u.arch.List(q)
		if errors.Is(err, fulltext.ErrSyntax) {
			return func() {
				if gen == l.gen {
					l.u.setStatus(capitalize(err.Error()))
				}
			}
		}
		if err != nil {
			return func() { l.u.setStatus(fmt.Sprintf("Listing failed: %v", err)) }
		}
		go l.loadRest(gen, q, page.Next)
		return func() {
			if gen != l.gen {
				return
			}
			l.items = toRows(page.Messages)
			l.widget.UnselectAll()
			l.widget.Refresh()
			l.reselect()
			if q.Search != "" {
				l.u.setStatus(searchStatus(page))
				if page.Unindexed > 0 {
					go l.againWhenIndexed(gen)
				}
			}
		}
	})
}

// againWhenIndexed runs the search again once every message is
// searchable, unless another listing replaced it meanwhile.
func (l *messageList) againWhenIndexed(gen int) {
	if l.u.arch.WaitIndexed(l.u.ctx) != nil {
		return
	}
	fyne.Do(func() {
		if gen == l.gen {
			l.reload()
		}
	})
}

// searchStatus says how many messages match, and how many are not yet
// searchable.
func searchStatus(p archive.Page) string {
	s := fmt.Sprintf("%d messages match", p.Matches)
	if p.Matches == 1 {
		s = "1 message matches"
	}
	if p.Unindexed > 0 {
		s += fmt.Sprintf(" (%d messages are not indexed for search yet)", p.Unindexed)
	}
	return s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// loadRest appends the remaining pages, off the UI goroutine.
func (l *messageList) loadRest(gen int, q archive.Query, next []byte) {
	q.Limit = laterPages
	loaded := false
	for next != nil {
		q.Before = next
		page, err := l.u.arch.List(q)
		if err != nil {
			return
		}
		next = page.Next
		rows := toRows(page.Messages)
		stale := false
		fyne.DoAndWait(func() {
			if gen != l.gen {
				stale = true
				return
			}
			l.items = append(l.items, rows...)
			l.widget.Refresh()
		})
		if stale {
			return
		}
		loaded = true
	}
	if loaded {
		// Decoding left tens of megabytes of garbage and touched as much
		// of the archive file; give both back now rather than keep them
		// resident while the window sits open.
		debug.FreeOSMemory()
		l.u.arch.Trim()
	}
}

// reselect keeps the open message selected across reloads.
func (l *messageList) reselect() {
	for i := range l.items {
		if l.items[i].id == l.selected {
			l.widget.Select(i)
			return
		}
	}
}

// markRead updates a row after the reader marked its message read.
func (l *messageList) markRead(id uint64) {
	for i := range l.items {
		if l.items[i].id == id {
			l.items[i].read = true
			l.widget.RefreshItem(i)
			return
		}
	}
}

// remove drops a deleted message from the list.
func (l *messageList) remove(id uint64) {
	for i := range l.items {
		if l.items[i].id == id {
			l.items = append(l.items[:i:i], l.items[i+1:]...)
			l.widget.UnselectAll()
			l.widget.Refresh()
			return
		}
	}
}

// newRow is a row: sender, subject, then attachment mark, size and date.
func newRow() fyne.CanvasObject {
	from := widget.NewLabel("sender")
	from.Truncation = fyne.TextTruncateEllipsis
	subject := widget.NewLabel("subject")
	subject.Truncation = fyne.TextTruncateEllipsis
	date := widget.NewLabel("2006-01-02")
	size := widget.NewLabel("999 KB")
	clip := widget.NewLabel("")
	right := container.NewHBox(clip, size, date)
	top := container.NewBorder(nil, nil, nil, right, from)
	// Labels pad themselves; the rows need none between their two lines.
	return container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), top, subject)
}

func updateRow(o fyne.CanvasObject, s *row) {
	rows := o.(*fyne.Container).Objects
	top := rows[0].(*fyne.Container)
	subject := rows[1].(*widget.Label)
	from := top.Objects[0].(*widget.Label)
	right := top.Objects[1].(*fyne.Container).Objects
	clip, size, date := right[0].(*widget.Label), right[1].(*widget.Label), right[2].(*widget.Label)
	style := fyne.TextStyle{Bold: !s.read}
	from.TextStyle, subject.TextStyle = style, style
	from.SetText(orDash(s.from))
	subject.SetText(orDash(s.subject))
	date.SetText(shortDate(time.Unix(s.date, 0)))
	size.SetText(humanSize(s.size))
	if s.attach {
		clip.SetText("+att")
	} else {
		clip.SetText("")
	}
}

// displayName is the sender's name, or the address when there is none.
func displayName(from string) string {
	if a, err := mail.ParseAddress(from); err == nil {
		if a.Name != "" {
			return a.Name
		}
		return a.Address
	}
	return from
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// shortDate shows the time for today, the day for this year, else the date.
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

func humanSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1_000_000:
		return fmt.Sprintf("%d KB", (n+500)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}
