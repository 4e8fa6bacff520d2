package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/archive/fulltext"
	"popvault/render"
	"popvault/thread"
)

// maxShown caps the body text held by the reader; longer bodies are cut
// with a note (the raw source and .eml hold everything).
const maxShown = 4 << 20

// wrapAt is the widest column the body is wrapped at. Wrapping here
// rather than in a Label, and showing the lines in a virtualized List,
// keeps opening a message fast however long it is: a wrapping Label
// measures every word of the body each time it lays out.
const wrapAt = 100

// reader shows one message: headers, body and attachments.
type reader struct {
	u             *UI
	content       fyne.CanvasObject
	headers       *fyne.Container
	empty         *widget.Label
	subject       *widget.Label
	body          *ringList
	doc           *render.Doc   // the open message's body
	lines         []render.Line // doc laid out at cols
	texts         []string      // the lines' text, for the search's marks and tests
	cols          int           // the width lines were laid out at, in characters
	asked         dialog.Dialog // the last Open link or Forward dialog, for tests
	menu          *fyne.Menu    // the last right-click menu, for tests
	then          func()        // what to do once message thenID shows (see whenOpen)
	thenID        uint64
	pics          map[string]image.Image // the open message's pictures (see pictures)
	unshown       map[int]string         // its pictures not shown, and why (see messagePictures)
	tall          []int                  // lines given a picture's height
	thread        *thread.Thread         // the conversation the open message was opened from, if any
	convo         *fyne.Container        // its other messages, collapsed
	found         map[string]bool        // the words of the search found in the open message
	marked        map[int]bool           // lines holding a match of the search
	sel           selection              // the text selected in the body
	raw           fyne.Window            // the last raw source window, for tests
	remoteBar     *remoteBar             // the line about the pictures on the web
	remote        map[string]image.Image // those loaded, by address; replaced, never changed
	loadingRemote bool
	scratch       *lineView       // a line measured off screen, for selecting (see posFrom)
	heights       map[int]float32 // the lines drawn taller than text: pictures, headings
	normal        float32         // the height of the others
	note          *widget.Label
	attachments   *fyne.Container
	actions       *fyne.Container
	page          *fyne.Container
	view          *archive.View
	saveDir       string // the folder last saved into, offered first

	// ctx is the work of the message last opened: open and clear cancel
	// it, so that what was under way for another message stops, and its
	// results are dropped. relayoutCancel ends a layout for a width that
	// changed again since.
	ctx            context.Context
	cancel         context.CancelFunc
	relayoutCancel context.CancelFunc
	// renderBody renders a message's body: renderBody, or in tests one
	// that takes as long as the test wants.
	renderBody func(context.Context, *archive.View) (*render.Doc, error)
	// loaded, when set (tests), is called on the UI goroutine as each
	// open's work ends: shown is false for work that was stale or failed.
	loaded func(id uint64, shown bool)
}

func newReader(u *UI) *reader {
	r := &reader{u: u, renderBody: renderBody}
	r.subject = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.subject.Wrapping = fyne.TextWrapWord
	r.headers = container.New(layout.NewFormLayout())
	r.body = newRingList(func() int { return len(r.lines) },
		func() fyne.CanvasObject { return newLineView(r) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			o.(*lineView).set(id, r.lines[id], r.marked[id])
		})
	r.body.HideSeparators = true
	r.body.otherKeys = u.windowKey
	r.note = widget.NewLabel("")
	r.note.Importance = widget.WarningImportance
	r.note.Wrapping = fyne.TextWrapWord
	r.attachments = container.NewVBox()
	var more *widget.Button
	more = widget.NewButtonWithIcon("", theme.MoreHorizontalIcon(), func() {
		menu := fyne.NewMenu("",
			fyne.NewMenuItem("View in browser", r.viewInBrowser),
			fyne.NewMenuItem("Save as .eml", r.saveEML),
			fyne.NewMenuItem("Raw source", r.showRaw),
		)
		c := fyne.CurrentApp().Driver().CanvasForObject(more)
		widget.ShowPopUpMenuAtRelativePosition(menu, c, fyne.NewPos(0, more.Size().Height), more)
	})
	r.actions = container.NewHBox(
		widget.NewButtonWithIcon("Reply", theme.MailReplyIcon(), func() { r.handOff(replyLink) }),
		widget.NewButtonWithIcon("Forward", theme.MailForwardIcon(), r.forward),
		widget.NewButtonWithIcon("Unread", theme.VisibilityOffIcon(), r.markUnread),
		widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), r.deleteMessage),
		more,
	)
	r.actions.Hide()
	r.convo = container.NewVBox()
	r.remoteBar = newRemoteBar(r)
	top := container.NewVBox(r.convo, r.subject, r.headers, r.attachments, r.note, r.remoteBar.content, widget.NewSeparator())
	r.page = container.NewBorder(top, nil, nil, nil, container.New(&reflow{r: r}, r.body))
	r.page.Hide()
	r.empty = widget.NewLabelWithStyle("Select a message to read it.", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	r.content = container.NewBorder(r.actions, nil, nil, nil, container.NewStack(r.empty, r.page))
	return r
}

// open shows a message. The work of opening it (reading, rendering,
// laying out, decoding its pictures, finding the search's words) runs off
// the UI goroutine under a context of its own, which the next open (or
// clear) cancels: a message that takes long neither delays the next one
// nor replaces it when it ends, and it stops early where it can.
func (r *reader) open(id uint64, read bool) {
	if r.cancel != nil {
		r.cancel()
	}
	if id != r.thenID {
		r.then = nil
	}
	ctx, cancel := context.WithCancel(r.u.ctx)
	r.ctx, r.cancel = ctx, cancel
	req := openRequest{id: id, search: r.u.search.Text, cols: r.columns(), pictures: r.pictureLimits()}
	r.u.background(func() func() {
		m, err := r.load(ctx, req)
		return func() {
			// Only this goroutine cancels ctx: if it has ended, another
			// message was opened (or the reader cleared) since, and this
			// result is stale.
			stale := ctx.Err() != nil
			if r.loaded != nil {
				defer r.loaded(id, !stale && err == nil)
			}
			switch {
			case stale:
				return
			case err != nil:
				r.u.setStatus(fmt.Sprintf("Opening the message failed: %v", err))
				return
			}
			r.show(m)
			if !read {
				r.markRead(id)
			}
		}
	})
}

// openRequest is what loading a message needs from the UI goroutine.
type openRequest struct {
	id       uint64
	search   string
	cols     int
	pictures pictureLimits
}

// openedMessage is a message loaded for showing.
type openedMessage struct {
	v     *archive.View
	doc   *render.Doc
	lines []render.Line
	cols  int
	found map[string]bool // the words of the search found in it
	pics  messagePictures
}

// load does the work of opening a message, off the UI goroutine. It
// returns ctx's error as soon as it sees ctx end.
func (r *reader) load(ctx context.Context, req openRequest) (*openedMessage, error) {
	v, err := r.u.arch.View(req.id)
	if err != nil {
		return nil, err
	}
	m := &openedMessage{v: v, cols: req.cols}
	if m.doc, err = r.renderBody(ctx, v); err != nil {
		return nil, err
	}
	if m.lines, err = layoutBody(ctx, m.doc, req.cols); err != nil {
		return nil, err
	}
	m.pics = r.pictures(ctx, v, m.doc, req.pictures)
	if req.search != "" && ctx.Err() == nil {
		if match, perr := archive.ParseSearch(req.search); perr == nil {
			text, _ := capText(v.BodyText(), maxShown)
			m.found = matchedWords(text, match) // off the UI goroutine: megabytes take a while
		}
	}
	return m, ctx.Err()
}

// renderBody renders v's body for the reader: the reader's render,
// unless a test replaces it. ctx ends when another message is opened: a
// body that takes long then stops at render's next check.
func renderBody(ctx context.Context, v *archive.View) (*render.Doc, error) {
	if strings.TrimSpace(v.HTML) != "" {
		return render.HTMLContext(ctx, v.HTML)
	}
	return render.PlainTextContext(ctx, v.Text, render.Format{Flowed: v.Flowed, DelSp: v.DelSp})
}

// layoutBody lays doc out at cols (see renderBody for ctx).
func layoutBody(ctx context.Context, doc *render.Doc, cols int) ([]render.Line, error) {
	return render.LayoutContext(ctx, doc, cols)
}

// markRead marks a message shown unread as read: in the list at once, in
// the archive off the UI goroutine.
func (r *reader) markRead(id uint64) {
	r.u.list.markRead(id)
	r.u.background(func() func() {
		err := r.u.arch.SetRead(id, true)
		return func() {
			if err != nil {
				r.u.setStatus(fmt.Sprintf("Marking the message read failed: %v", err))
			}
			r.u.refreshCounts()
		}
	})
}

// show shows a loaded message.
func (r *reader) show(m *openedMessage) {
	v, doc, found := m.v, m.doc, m.found
	r.view = v
	r.pics, r.unshown = m.pics.byKey, m.pics.unshown
	r.subject.SetText(orDash(bidiText(v.Subject)))
	r.headers.Objects = nil
	for _, h := range [][2]string{{"From", v.From}, {"To", v.To}, {"Cc", v.Cc}, {"Date", v.Date.Local().Format(time.RFC1123)}} {
		if h[1] == "" {
			continue
		}
		r.headers.Add(widget.NewLabelWithStyle(h[0], fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}))
		r.headers.Add(newCopyField(h[0], h[1], r.copyText, r.u.windowKey))
	}
	r.headers.Refresh()
	r.empty.Hide()
	var notes []string
	if doc.Cut {
		notes = append(notes, "This message is long: only its beginning is shown. Raw source and Save as .eml hold all of it.")
	}
	if note := unshownNote(len(m.pics.unshown)); note != "" {
		notes = append(notes, note)
	}
	notes = append(notes, v.Problems...)
	r.doc = doc
	r.sel = selection{}
	r.setLines(m.lines, m.cols)
	r.marked, r.found = nil, found
	first := -1
	if len(found) > 0 {
		r.marked, first = markLines(r.texts, found)
		if len(r.marked) > 0 {
			notes = append(notes, fmt.Sprintf("%d lines hold words of your search, marked in colour.", len(r.marked)))
		}
	}
	r.note.SetText(strings.Join(notes, "\n"))
	r.note.Hidden = len(notes) == 0
	r.body.Refresh()
	r.body.ScrollToTop()
	if first > 0 {
		r.body.ScrollTo(max(0, first-2)) // a little context above it
	}
	r.showAttachments(v)
	r.showThread(v.ID)
	r.showRemote(doc)
	r.actions.Show()
	r.page.Show()
	r.note.Refresh()
	if then := r.then; then != nil && r.thenID == v.ID {
		r.then = nil
		then()
	}
}

// whenOpen does then once message id shows in the reader: at once if it
// does, else when its opening ends. Opening another message forgets it.
func (r *reader) whenOpen(id uint64, then func()) {
	if then == nil {
		return
	}
	if r.view != nil && r.view.ID == id {
		then()
		return
	}
	r.then, r.thenID = then, id
}

// matchedWords returns the words of text that the search matched, as
// they are written there (lower-cased): the search's own analyzer finds
// them, so "meetings" finds "meeting".
func matchedWords(text string, match *fulltext.Query) map[string]bool {
	found := map[string]bool{}
	for _, s := range match.Spans(text, 0) {
		found[strings.ToLower(text[s.Start:s.End])] = true
	}
	return found
}

// markLines returns the wrapped lines that hold one of the found words,
// and the first of them (-1 for none).
func markLines(lines []string, found map[string]bool) (map[int]bool, int) {
	marked, first := map[int]bool{}, -1
	for i, line := range lines {
		lower := strings.ToLower(line)
		for w := range found {
			if strings.Contains(lower, w) {
				marked[i] = true
				if first < 0 {
					first = i
				}
				break
			}
		}
	}
	return marked, first
}

// columns is how many characters fit the body's width, between 40 and
// wrapAt.
func (r *reader) columns() int {
	width := r.content.Size().Width - 4*theme.Padding()
	perChar := r.charWidth()
	if width <= 0 || perChar <= 0 {
		return wrapAt
	}
	return max(40, min(wrapAt, int(width/perChar)-2))
}

// charWidth is the width of an average character of the body's text.
func (r *reader) charWidth() float32 {
	const sample = "the quick brown fox jumps over the lazy dog"
	return fyne.MeasureText(sample, theme.TextSize(), fyne.TextStyle{}).Width / float32(len(sample))
}

// setLines shows lines laid out at cols, a line holding one of the
// message's pictures as tall as the picture is shown.
func (r *reader) setLines(lines []render.Line, cols int) {
	r.lines, r.cols = lines, cols
	r.texts = make([]string, len(lines))
	for i, l := range lines {
		r.texts[i] = l.Text()
	}
	normal := newLineView(r).MinSize().Height
	for _, id := range r.tall {
		r.body.SetItemHeight(id, normal)
	}
	r.tall = r.tall[:0]
	r.heights, r.normal = map[int]float32{}, normal
	for i, l := range lines {
		if size, ok := r.pictureSize(l); ok {
			r.body.SetItemHeight(i, size.Height)
			r.tall = append(r.tall, i)
			r.heights[i] = size.Height
		} else if l.Kind == render.Heading && render.HeadingScale(l.Level) > 1 {
			r.body.SetItemHeight(i, normal*render.HeadingScale(l.Level))
			r.tall = append(r.tall, i)
			r.heights[i] = normal * render.HeadingScale(l.Level)
		}
	}
}

// maxPictureHeight is the tallest a picture in the body is shown.
const maxPictureHeight = 320

// pictureSize is how large the picture of an image line is shown, where
// the message holds it: its own size, or smaller to fit the width and
// maxPictureHeight.
func (r *reader) pictureSize(l render.Line) (fyne.Size, bool) {
	img := r.linePicture(l)
	if img == nil {
		return fyne.Size{}, false
	}
	b := img.Bounds()
	w, h := float32(b.Dx()), float32(b.Dy())
	maxW := float32(r.cols) * r.charWidth()
	scale := min(1, maxW/w, maxPictureHeight/h)
	return fyne.NewSize(w*scale, h*scale), true
}

// linePicture is the picture an image line shows, where the window holds
// it: the message's own (cid:), decoded when it was opened, or one on the
// web the person had loaded.
func (r *reader) linePicture(l render.Line) image.Image {
	if img := r.remotePicture(l); img != nil {
		return img
	}
	if l.Img == nil || !strings.HasPrefix(strings.ToLower(l.Img.Src), "cid:") {
		return nil
	}
	return r.pics[l.Img.Src[4:]]
}

// reflow lays the open message out again when the reader's width
// changes, off the UI goroutine, under the message's context: opening
// another message, or another change of width, stops it.
func (r *reader) reflow() {
	cols := r.columns()
	if r.doc == nil || cols == r.cols || r.ctx == nil {
		return
	}
	if r.relayoutCancel != nil {
		r.relayoutCancel()
	}
	ctx, cancel := context.WithCancel(r.ctx)
	r.relayoutCancel = cancel
	doc, remote := r.doc, r.remote
	r.cols = cols // asked for once per width
	r.u.background(func() func() {
		lines, err := layoutWith(ctx, doc, cols, remote)
		return func() {
			if err != nil || ctx.Err() != nil || doc != r.doc {
				return
			}
			r.sel = selection{} // its columns were another width's
			r.setLines(lines, cols)
			r.marked, _ = markLines(r.texts, r.found)
			r.body.Refresh()
		}
	})
}

// reflow is the body's layout: it fills the space and tells the reader
// when the width changed.
type reflow struct{ r *reader }

func (l *reflow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
	l.r.reflow()
}

func (l *reflow) MinSize(objs []fyne.CanvasObject) fyne.Size { return fyne.NewSize(0, 0) }

// wrapLines splits text into lines of at most width characters, breaking
// at spaces where it can; tabs become spaces.
func wrapLines(text string, width int) []string {
	var out []string
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.ReplaceAll(strings.TrimRight(line, "\r"), "\t", "    ")
		if utf8.RuneCountInString(line) <= width {
			out = append(out, line)
			continue
		}
		// One conversion per line: converting the rest on every cut would
		// be quadratic in the line's length.
		runes := []rune(line)
		for len(runes) > width {
			cut := width
			for i := width; i > width/2; i-- {
				if runes[i] == ' ' {
					cut = i
					break
				}
			}
			out = append(out, string(runes[:cut]))
			runes = runes[cut:]
			for len(runes) > 0 && runes[0] == ' ' {
				runes = runes[1:]
			}
		}
		out = append(out, string(runes))
	}
	return out
}

// capText cuts s to at most n bytes on a rune boundary.
func capText(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

func (r *reader) clear() {
	if r.cancel != nil {
		r.cancel()
	}
	r.view = nil
	r.actions.Hide()
	r.page.Hide()
	r.empty.Show()
}

func (r *reader) saveAttachment(a archive.Attachment) {
	id := r.view.ID
	r.saveAs(a.Name, "Saving the attachment failed", func(w io.WriteCloser) error {
		return r.writeAttachment(id, a.Index, w)
	})
}

func (r *reader) saveEML() {
	if r.view == nil {
		return
	}
	id := r.view.ID
	r.saveAs(emlName(r.view.Subject), "Saving the message failed", func(w io.WriteCloser) error {
		return r.writeEML(id, w)
	})
}

// writeAttachment writes an attachment's decoded bytes to w and closes
// it. A damaged attachment is written as far as it decodes, and the error
// says so.
func (r *reader) writeAttachment(id uint64, index int, w io.WriteCloser) error {
	_, data, err := r.u.arch.Attachment(id, index)
	if err == nil || errors.Is(err, archive.ErrDamaged) {
		if _, werr := w.Write(data); werr != nil {
			err = werr
		}
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeEML writes a message's stored bytes to w and closes it.
func (r *reader) writeEML(id uint64, w io.WriteCloser) error {
	raw, err := r.u.arch.Raw(id)
	if err == nil {
		_, err = w.Write(raw)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

// emlName makes a file name from a subject.
func emlName(subject string) string {
	return archive.SafeFileName(subject, "message") + ".eml"
}

func (r *reader) showRaw() {
	if r.view == nil {
		return
	}
	id := r.view.ID
	r.u.background(func() func() {
		raw, err := r.u.arch.Raw(id)
		return func() {
			if err != nil {
				r.u.showError("Reading the message failed", err)
				return
			}
			text, cut := capText(strings.ToValidUTF8(string(raw), "\uFFFD"), maxShown)
			if cut {
				text += "\n\n[… cut here; Save as .eml for all of it]"
			}
			grid := widget.NewTextGridFromString(text)
			w := r.u.app.NewWindow("Raw source")
			w.SetContent(container.NewScroll(grid))
			w.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
				if ev.Name == fyne.KeyEscape {
					w.Close()
				}
			})
			w.Resize(fyne.NewSize(760, 560))
			w.Show()
			r.raw = w
		}
	})
}

func (r *reader) deleteMessage() {
	if r.view != nil {
		r.u.deleteMessage(r.view.ID)
	}
}

// handOff gives a reply or forward of the open message to the user's
// mail program, through a mailto: address: popvault sends no mail.
func (r *reader) handOff(link func(*archive.View) string) {
	if r.view != nil {
		r.u.handOff(toMailProgram, link(r.view))
	}
}

// markUnread marks the open message unread, in the archive and the list.
func (r *reader) markUnread() {
	if r.view != nil {
		r.u.setRead(r.view.ID, false)
	}
}

// viewInBrowser opens the message's HTML in the browser, as a page
// render.Page made safe, written where only this user can read it.
func (r *reader) viewInBrowser() {
	v := r.view
	if v == nil {
		return
	}
	if strings.TrimSpace(v.HTML) == "" {
		r.u.setStatus("This message has no HTML part: what the reader shows is all of it")
		return
	}
	r.u.background(func() func() {
		path, err := r.u.writePage(v)
		return func() {
			if err != nil {
				r.u.showError("Writing the message's page for the browser failed", err)
				return
			}
			r.u.handOff(toBrowser, fileURL(path))
		}
	})
}

// showThread lists the conversation's messages above the open one, oldest
// first, each collapsed to a line that opens it.
func (r *reader) showThread(open uint64) {
	r.convo.Objects = nil
	t := r.thread
	if t == nil || len(t.Messages) < 2 {
		r.convo.Refresh()
		return
	}
	in := false
	for _, m := range t.Messages {
		in = in || m.ID == open
	}
	if !in {
		r.thread = nil
		r.convo.Refresh()
		return
	}
	r.convo.Add(widget.NewLabelWithStyle(fmt.Sprintf("Conversation, %d messages", len(t.Messages)), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
	for _, m := range t.Messages {
		m := m
		text := fmt.Sprintf("%s · %s · %s", orDash(m.From), shortDate(m.Date), orDash(m.Subject))
		if m.ID == open {
			r.convo.Add(widget.NewLabelWithStyle("▾ "+text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
			continue
		}
		b := widget.NewButton("▸ "+text, func() { r.open(m.ID, false) })
		b.Alignment = widget.ButtonAlignLeading
		b.Importance = widget.LowImportance
		r.convo.Add(b)
	}
	r.convo.Refresh()
}
