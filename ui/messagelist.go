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
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/archive/fulltext"
	"popvault/thread"
)

// messageList is the virtualized list of the selected mailbox, newest
// first. It loads a first page at once and the rest in the background, so
// a window over 100,000 messages paints without waiting, and keeps only
// what a row shows: of the rows after the first page, only their id,
// date, size and marks, until they are shown (text, on demand), so that
// a million rows stay tens of megabytes.
type messageList struct {
	u           *UI
	widget      *mailList
	items       []row
	gen         int  // bumped by each reload; stale loads are dropped
	shown       int  // the gen whose first page is on screen
	openNext    bool // Enter in the search box came before its results
	reselecting bool
	matches     archive.Page // the search's first page, for its counts
	selected    uint64
	pending     *time.Timer
	texts       textLoader
	// beforeFirstPage, in tests, delays showing a first page.
	beforeFirstPage func()

	// Conversations: with threaded on and no search, a row stands for a
	// thread (its newest message), and threads holds each by that id.
	threaded bool
	threads  map[uint64]*thread.Thread
	toggle   *widget.Check
	content  fyne.CanvasObject // the toggle above the list
	menu     *fyne.Menu        // the last right-click menu, for tests

	// The status line and the empty list's sentence (see status.go).
	total          int           // the messages listed, without a search
	threadMessages int           // the messages the conversations hold
	said           string        // what the list last put on the status line
	told           bool          // the person changed the list: say what it shows
	empty          *widget.Label // over the list when it has no rows
}

const firstPage, laterPages = 200, 5000

// row is what the list keeps of a message: 40 bytes and, once shown, its
// text.
type row struct {
	id           uint64
	date         int64 // Unix seconds
	size         int64
	text         *rowText // nil until loaded
	read, attach bool
	count        int32 // the messages of the thread it stands for; 0 for one message
}

// rowText is the text a row shows.
type rowText struct{ from, subject, preview string }

func textOf(s *archive.Summary) *rowText {
	return &rowText{from: displayName(s.From), subject: s.Subject, preview: s.Preview}
}

// toRows makes rows of msgs, with their text or without it.
func toRows(msgs []*archive.Summary, text bool) []row {
	out := make([]row, len(msgs))
	for i, s := range msgs {
		out[i] = row{id: s.ID, date: s.Date.Unix(), size: s.Size, read: s.Read, attach: s.HasAttachments}
		if text {
			out[i].text = textOf(s)
		}
	}
	return out
}

// textLoader reads the text of rows shown without it, off the UI
// goroutine, a batch at a time. Its fields belong to the UI goroutine.
type textLoader struct {
	asked   map[uint64]bool
	waiting []int // indexes into items of rows asked for
	busy    bool
}

// wantText asks for the text of the row at i, which a paint found
// without it; the rows refresh when it comes.
func (l *messageList) wantText(i int) {
	t := &l.texts
	id := l.items[i].id
	if t.asked == nil {
		t.asked = map[uint64]bool{}
	}
	if t.asked[id] {
		return
	}
	t.asked[id] = true
	t.waiting = append(t.waiting, i)
	if !t.busy {
		l.loadTexts()
	}
}

func (l *messageList) loadTexts() {
	t := &l.texts
	if len(t.waiting) == 0 {
		return
	}
	gen, at := l.gen, t.waiting
	ids := make([]uint64, len(at))
	for j, i := range at {
		ids[j] = l.items[i].id
	}
	t.waiting, t.busy = nil, true
	l.u.background(func() func() {
		texts := make([]*rowText, len(ids))
		for j, id := range ids {
			if s, err := l.u.arch.Summary(id); err == nil {
				texts[j] = textOf(s)
			} else {
				texts[j] = &rowText{} // deleted meanwhile: shown empty
			}
		}
		return func() {
			t.busy = false
			if gen != l.gen {
				return
			}
			for j, i := range at {
				if i < len(l.items) && l.items[i].id == ids[j] {
					l.items[i].text = texts[j]
				} else {
					delete(t.asked, ids[j]) // moved: asked again where it is now
				}
			}
			l.widget.Refresh()
			l.loadTexts()
		}
	})
}

func newMessageList(u *UI) *messageList {
	l := &messageList{u: u}
	l.widget = newMailList(
		func() int { return len(l.items) },
		func() fyne.CanvasObject { return newRowView(l) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if l.items[id].text == nil {
				l.wantText(id)
			}
			o.(*rowView).set(id, &l.items[id])
		},
		l.onSelected,
	)
	l.widget.onDelete = func() { u.reader.deleteMessage() }
	l.widget.windowKey = u.windowKey
	l.toggle = widget.NewCheck("Conversations", func(on bool) {
		l.threaded = on
		l.told = true
		l.reload()
	})
	l.empty = newEmptyNote()
	l.content = container.NewBorder(container.NewPadded(l.toggle), nil, nil, nil,
		container.NewStack(l.widget, container.New(looseLayout{}, container.NewPadded(container.NewVBox(l.empty)))))
	return l
}

// onSelected opens the chosen message.
func (l *messageList) onSelected(id widget.ListItemID) {
	if !l.reselecting {
		l.takeKeyboard()
	}
	if id < len(l.items) {
		l.selected = l.items[id].id
		l.u.reader.thread = l.threads[l.items[id].id]
		l.u.reader.open(l.items[id].id, l.items[id].read && l.items[id].count == 0)
	}
}

// reloadSoon reloads after typing pauses, so each keystroke does not
// start a search.
func (l *messageList) reloadSoon() {
	if l.pending != nil {
		l.pending.Stop()
	}
	l.told = true // a search typed or cleared
	l.pending = time.AfterFunc(150*time.Millisecond, func() { onUI(l.reload) })
}

// reload queries the archive for the selected account and search.
func (l *messageList) reload() {
	l.gen++
	gen := l.gen
	q := archive.Query{Account: l.u.selected, Search: l.u.search.Text, Limit: firstPage}
	// Search results stay single messages.
	if q.Search != "" {
		l.toggle.Disable()
	} else {
		l.toggle.Enable()
	}
	l.threads = nil
	if l.threaded && q.Search == "" {
		l.reloadThreads(gen, q)
		return
	}
	l.u.background(func() func() {
		page, err := l.u.arch.List(q)
		if err != nil {
			return func() {
				if gen != l.gen {
					return
				}
				l.shown, l.openNext, l.told = gen, false, false
				if errors.Is(err, fulltext.ErrSyntax) {
					l.u.setStatus(capitalize(err.Error()))
				} else {
					l.u.setStatus(fmt.Sprintf("Listing failed: %v", err))
				}
			}
		}
		if l.beforeFirstPage != nil {
			l.beforeFirstPage()
		}
		// Room for every row at once: appended page by page, the rows
		// of a million messages would be copied again and again.
		all := page.Matches
		if q.Search == "" {
			if counts, err := l.u.arch.Count(); err == nil {
				all = counts[q.Account].Total
			}
		}
		return func() {
			if gen != l.gen {
				return
			}
			l.items = append(make([]row, 0, max(all, len(page.Messages))), toRows(page.Messages, true)...)
			l.texts = textLoader{}
			l.shown = gen
			// Only now: started sooner, the rest could be appended before
			// this first page replaced the list, and be lost.
			go l.loadRest(gen, q, page.Next)
			l.widget.UnselectAll()
			l.widget.Refresh()
			l.reselect()
			// Enter waits out a search that is not fully indexed yet.
			if l.openNext && (len(l.items) > 0 || page.Unindexed == 0) {
				l.openNext = false
				l.widget.Select(0)
			}
			if q.Search != "" {
				l.matches = archive.Page{Matches: page.Matches, Unindexed: page.Unindexed}
				if page.Unindexed > 0 {
					go l.againWhenIndexed(gen)
				}
			}
			l.total = all
			l.sayStatus(l.listStatus(), l.told || q.Search != "")
			l.told = false
			l.showEmpty()
		}
	})
}

// againWhenIndexed runs the search again once every message is
// searchable, unless another listing replaced it meanwhile.
func (l *messageList) againWhenIndexed(gen int) {
	if l.u.arch.SearchIndex().Wait(l.u.ctx) != nil {
		return
	}
	onUI(func() {
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
		rows := toRows(page.Messages, false)
		stale := false
		onUIAndWait(func() {
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
		// Decoding left tens of megabytes of garbage: give it back now
		// rather than keep it while the window sits open.
		debug.FreeOSMemory()
	}
}

// reselect keeps the open message selected across reloads, and the
// keyboard where it was: a search being typed keeps it.
func (l *messageList) reselect() {
	for i := range l.items {
		if l.items[i].id == l.selected {
			l.reselecting = true
			l.widget.Select(i)
			l.reselecting = false
			return
		}
	}
}

// takeKeyboard gives the list the keyboard when a message is chosen, so
// the arrows go on from it. (Fyne's List means to do this on a tap but
// looks for the embedded List on the canvas, not the mailList there.)
func (l *messageList) takeKeyboard() {
	if c := l.u.win.Canvas(); c.Focused() != l.widget {
		c.Focus(l.widget)
	}
}

// markRead updates a row after the reader marked its message read.
func (l *messageList) markRead(id uint64) { l.setRead(id, true) }

// setRead shows a message read or unread.
func (l *messageList) setRead(id uint64, read bool) {
	for i := range l.items {
		if l.items[i].id == id {
			l.items[i].read = read
			l.widget.RefreshItem(i)
			return
		}
	}
}

// remove drops a deleted message from the list and, where it was the
// open one, opens the one that takes its place, as mail programs do, so
// Delete can be pressed again. Conversations are grouped again: the
// message may have been one of several.
func (l *messageList) remove(id uint64) {
	if l.threads != nil {
		l.selected = 0
		l.told = true
		l.reload()
		return
	}
	for i := range l.items {
		if l.items[i].id == id {
			l.items = append(l.items[:i:i], l.items[i+1:]...)
			if l.u.search.Text != "" {
				l.matches.Matches--
			}
			l.total--
			l.sayStatus("Message deleted · "+l.listStatus(), true)
			l.showEmpty()
			if id != l.selected {
				l.widget.Refresh()
				return
			}
			l.widget.UnselectAll()
			l.widget.Refresh()
			if len(l.items) > 0 {
				l.widget.Select(min(i, len(l.items)-1))
			}
			return
		}
	}
}

// openFirst is Enter in the search box: the list takes the keyboard, its
// first message opens, and the arrows go on from there.
func (l *messageList) openFirst() {
	l.takeKeyboard()
	if l.pending != nil && l.pending.Stop() {
		l.reload() // typing had not paused yet
	}
	if l.shown != l.gen {
		l.openNext = true
		return
	}
	l.widget.Select(0)
}

// mailList is Fyne's List with a mail program's keys. Fyne's List moves
// only a focus mark with the arrows and selects with Space, and while it
// has the keyboard the window's Delete never fires. Here the arrows move
// the selection itself, so the reader follows; Enter opens; Home and End
// jump; Delete deletes the open message; Space and the page keys scroll
// the message.
type mailList struct {
	widget.List
	cursor    int // the selected row, or -1; List keeps its own to itself
	ring      focusRing
	onDelete  func()
	windowKey func(*fyne.KeyEvent) // keys that are the window's (see UI.windowKey)
}

// newMailList is widget.NewList with onSelected; the list follows its own
// selection, however made, so that Down after none opens the first row.
func newMailList(length func() int, create func() fyne.CanvasObject, update func(widget.ListItemID, fyne.CanvasObject),
	onSelected func(widget.ListItemID)) *mailList {
	l := &mailList{cursor: -1, ring: newFocusRing()}
	l.Length, l.CreateItem, l.UpdateItem = length, create, update
	// The rows are drawn again as the selection moves: a row's preview
	// takes its colour from the background behind it (rowView.set). Fyne
	// redraws the rows before it tells of the change.
	l.OnUnselected = func(id widget.ListItemID) {
		l.cursor = -1
		l.RefreshItem(id)
	}
	l.OnSelected = func(id widget.ListItemID) {
		l.cursor = id
		l.RefreshItem(id)
		onSelected(id)
	}
	l.ExtendBaseWidget(l)
	return l
}

func (l *mailList) CreateRenderer() fyne.WidgetRenderer { return l.ring.wrap(l.List.CreateRenderer()) }

// FocusGained shows the ring: Fyne's own mark is the hover colour on
// the focused row, which the selected row's colour hides.
func (l *mailList) FocusGained() {
	l.List.FocusGained()
	l.ring.show(true)
}

func (l *mailList) FocusLost() {
	l.List.FocusLost()
	l.ring.show(false)
}

// TypedKey is called while the list has the keyboard.
func (l *mailList) TypedKey(ev *fyne.KeyEvent) {
	n := l.Length()
	switch ev.Name {
	case fyne.KeyDown, fyne.KeyUp:
		next := l.cursor + 1
		if ev.Name == fyne.KeyUp {
			next = l.cursor - 1
		}
		if next < 0 || next >= n {
			return
		}
		l.List.TypedKey(ev) // Fyne's focus mark goes along
		l.Select(next)
	case fyne.KeyReturn, fyne.KeyEnter:
		l.Select(max(l.cursor, 0))
	case fyne.KeySpace, fyne.KeyPageDown, fyne.KeyPageUp, fyne.KeyEscape:
		// The message's keys, as in a mail program: Space and the page
		// keys scroll it, Escape clears the search.
		if l.windowKey != nil {
			l.windowKey(ev)
		}
	case fyne.KeyHome:
		l.Select(0)
	case fyne.KeyEnd:
		l.Select(n - 1)
	case fyne.KeyDelete:
		if l.onDelete != nil {
			l.onDelete()
		}
	default:
		l.List.TypedKey(ev)
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

func humanSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1_000_000:
		return fmt.Sprintf("%d KB", (n+500)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// reloadThreads lists the account's conversations: every message is read
// (its index record only) and threaded off the UI goroutine, and each
// thread shows as its newest message with how many it holds.
func (l *messageList) reloadThreads(gen int, q archive.Query) {
	l.sayStatus("Grouping into conversations…", l.told)
	l.u.background(func() func() {
		var msgs []thread.Message
		rows := map[uint64]row{}
		q.Limit = laterPages
		for {
			page, err := l.u.arch.List(q)
			if err != nil {
				return func() { l.u.setStatus(fmt.Sprintf("Listing failed: %v", err)) }
			}
			for _, s := range page.Messages {
				msgs = append(msgs, thread.Message{ID: s.ID, MessageID: s.MessageID, Parents: s.Parents, Subject: s.Subject, Date: s.Date, From: displayName(s.From)})
			}
			for i, r := range toRows(page.Messages, true) {
				rows[page.Messages[i].ID] = r
			}
			if page.Next == nil {
				break
			}
			q.Before = page.Next
		}
		threads := thread.Build(msgs)
		items := make([]row, 0, len(threads))
		byID := make(map[uint64]*thread.Thread, len(threads))
		for _, t := range threads {
			r := rows[t.Newest().ID]
			if len(t.Messages) > 1 {
				r.count = int32(len(t.Messages))
				for _, m := range t.Messages {
					r.read = r.read && rows[m.ID].read
				}
			}
			items = append(items, r)
			byID[r.id] = t
		}
		return func() {
			if gen != l.gen {
				return
			}
			l.items, l.threads, l.shown = items, byID, gen
			l.threadMessages = len(msgs)
			l.texts = textLoader{}
			l.widget.UnselectAll()
			l.widget.Refresh()
			l.reselect()
			l.sayStatus(l.listStatus(), l.told)
			l.told = false
			l.showEmpty()
		}
	})
}
