package ui

import (
	"strings"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"

	"popvault/render"
)

// Selecting text in the reader. The body is drawn by lineViews in a
// virtualized List, each a line of styled canvas.Text: the styles,
// headings, quote bars, table columns and pictures render laid out. A
// read-only widget.Entry would hold the text selectable, but in one
// style and wrapped by itself (and slow to lay out on a long message);
// widget.Label.Selectable (Fyne 2.7) selects within one label only. So
// the reader keeps one selection over its lines itself, draws it behind
// the text, and copies it: a drag selects across lines, Ctrl+A the whole
// message, Ctrl+C (or the right-click menu) copies.

// textPos is a place in the body: a line, and a column counted in runes
// of that line's text (render.Line.Text).
type textPos struct{ line, col int }

func (p textPos) before(q textPos) bool {
	return p.line < q.line || p.line == q.line && p.col < q.col
}

// selection is the body's selected text, from anchor (where the drag
// began) to head (where it is now), either way round.
type selection struct {
	anchor, head textPos
	dragging     bool
}

// ordered is the selection's start and end, in reading order.
func (s selection) ordered() (textPos, textPos) {
	if s.head.before(s.anchor) {
		return s.head, s.anchor
	}
	return s.anchor, s.head
}

func (s selection) empty() bool { return s.anchor == s.head }

// lineRange is the columns [from, to) of line id that the selection
// holds; ok is false where it holds none of it.
func (s selection) lineRange(id, length int) (from, to int, ok bool) {
	a, b := s.ordered()
	if s.empty() || id < a.line || id > b.line {
		return 0, 0, false
	}
	from, to = 0, length
	if id == a.line {
		from = min(a.col, length)
	}
	if id == b.line {
		to = min(b.col, length)
	}
	return from, to, from < to || id != b.line
}

// selectAll selects the whole body.
func (r *reader) selectAll() {
	if len(r.lines) == 0 {
		return
	}
	last := len(r.lines) - 1
	r.sel = selection{head: textPos{last, utf8.RuneCountInString(r.texts[last])}}
	r.body.Refresh()
}

// selectNone drops the selection.
func (r *reader) selectNone() {
	if r.sel.empty() {
		return
	}
	r.sel = selection{}
	r.body.Refresh()
}

// selectedText is the selection's text: lines joined by newlines, a
// table's cells (segments that start at a column of their own) by a
// space where the cell has none, so that copied cells do not run
// together.
func (r *reader) selectedText() string {
	if r.sel.empty() {
		return ""
	}
	a, b := r.sel.ordered()
	var out strings.Builder
	for id := a.line; id <= b.line && id < len(r.lines); id++ {
		if id > a.line {
			out.WriteByte('\n')
		}
		from, to, ok := r.sel.lineRange(id, utf8.RuneCountInString(r.texts[id]))
		if !ok {
			continue
		}
		at := 0 // runes of the line before this segment
		for i, s := range r.lines[id].Segs {
			n := utf8.RuneCountInString(s.Text)
			lo, hi := max(from, at)-at, min(to, at+n)-at
			if lo < hi {
				part := string([]rune(s.Text)[lo:hi])
				if s.Tab && i > 0 && out.Len() > 0 && !strings.HasSuffix(out.String(), " ") && !strings.HasSuffix(out.String(), "\n") {
					out.WriteByte(' ')
				}
				out.WriteString(part)
			}
			at += n
		}
	}
	return out.String()
}

// copySelection puts the selection on the clipboard, or says how to make
// one.
func (r *reader) copySelection() {
	text := r.selectedText()
	if text == "" {
		if r.view != nil {
			r.u.setStatus("Nothing is selected: drag over the text, or press Ctrl+A for the whole message")
		}
		return
	}
	r.u.app.Clipboard().SetContent(text)
	r.u.setStatus("Copied")
}

// copyText puts text on the clipboard, saying what it was.
func (r *reader) copyText(text, what string) {
	r.u.app.Clipboard().SetContent(text)
	r.u.setStatus(what + " copied")
}

// Dragged selects from where the drag began to the line and column under
// the pointer now, which may be another line's: it is found by the List's
// own layout from the line the drag began on (each line as tall as it is
// drawn, a padding between lines), whichever lines are on screen.
func (l *lineView) Dragged(ev *fyne.DragEvent) {
	r := l.r
	if !r.sel.dragging {
		// The keyboard goes to the list (from the search box), so that
		// Ctrl+C copies this and the arrows still go on from the message.
		r.u.list.takeKeyboard()
		start := ev.Position.Subtract(ev.Dragged)
		p := r.posFrom(l.id, start)
		r.sel = selection{anchor: p, head: p, dragging: true}
	}
	r.sel.head = r.posFrom(l.id, ev.Position)
	r.body.Refresh()
}

// DragEnd ends a selection made by dragging.
func (l *lineView) DragEnd() { l.r.sel.dragging = false }

// posFrom is the place in the body at p, given relative to the top left
// of line id.
func (r *reader) posFrom(id int, p fyne.Position) textPos {
	if len(r.lines) == 0 {
		return textPos{}
	}
	gap := theme.Padding() // the List's between its items
	y := p.Y
	for y < 0 && id > 0 {
		id--
		y += r.lineHeight(id) + gap
	}
	if y < 0 {
		return textPos{0, 0}
	}
	for y >= r.lineHeight(id)+gap && id < len(r.lines)-1 {
		y -= r.lineHeight(id) + gap
		id++
	}
	if y >= r.lineHeight(id)+gap {
		return textPos{id, utf8.RuneCountInString(r.texts[id])}
	}
	if r.scratch == nil {
		r.scratch = newLineView(r)
	}
	r.scratch.set(id, r.lines[id], false)
	return textPos{id, r.scratch.colAt(p.X)}
}

// lineHeight is how tall line id is drawn.
func (r *reader) lineHeight(id int) float32 {
	if h, ok := r.heights[id]; ok {
		return h
	}
	return r.normal
}

// colAt is the column of the line nearest x (in the line's own
// coordinates): between two characters, the nearer boundary.
func (l *lineView) colAt(x float32) int {
	line := l.line
	n := utf8.RuneCountInString(line.Text())
	if l.picture || len(l.segX) != len(line.Segs) || l.rtl {
		// A picture, or a line drawn in visual order: all of it or none.
		if len(l.segX) > 0 && x > (l.segX[0]+l.segEnd[len(l.segEnd)-1])/2 || len(l.segX) == 0 && x > 0 {
			return n
		}
		return 0
	}
	at := 0
	for i, s := range line.Segs {
		runes := []rune(s.Text)
		if x < l.segX[i] {
			return at
		}
		if x <= l.segEnd[i] {
			style, _ := l.look(s)
			prev := l.segX[i]
			for k := 1; k <= len(runes); k++ {
				next := l.segX[i] + fyne.MeasureText(string(runes[:k]), l.textSize(), style).Width
				if x < (prev+next)/2 {
					return at + k - 1
				}
				prev = next
			}
			return at + len(runes)
		}
		at += len(runes)
	}
	return n
}

// xAt is where column col of the line is drawn.
func (l *lineView) xAt(col int) float32 {
	at := 0
	for i, s := range l.line.Segs {
		if i >= len(l.segX) {
			break
		}
		runes := []rune(s.Text)
		if col <= at+len(runes) {
			style, _ := l.look(s)
			return l.segX[i] + fyne.MeasureText(string(runes[:col-at]), l.textSize(), style).Width
		}
		at += len(runes)
	}
	if len(l.segEnd) > 0 {
		return l.segEnd[len(l.segEnd)-1]
	}
	return theme.Padding()
}

// textSize is the size the line's text is drawn at.
func (l *lineView) textSize() float32 {
	if l.line.Kind == render.Heading {
		return theme.TextSize() * render.HeadingScale(l.line.Level)
	}
	return theme.TextSize()
}

// selectionMark is the rectangle drawn behind the line's selected
// columns, or nil. A selection that goes on past the line's end marks a
// little beyond it, as text editors do, so an empty line shows it too.
func (l *lineView) selectionMark(height float32) fyne.CanvasObject {
	n := utf8.RuneCountInString(l.line.Text())
	from, to, ok := l.r.sel.lineRange(l.id, n)
	if !ok {
		return nil
	}
	var x0, x1 float32
	if l.picture || l.rtl || len(l.segX) != len(l.line.Segs) {
		x0, x1 = theme.Padding(), max(l.xAt(n), theme.Padding()+l.r.charWidth())
	} else {
		x0, x1 = l.xAt(from), l.xAt(to)
	}
	if _, b := l.r.sel.ordered(); l.id < b.line {
		x1 += l.r.charWidth() / 2
	}
	if x1 <= x0 {
		return nil
	}
	rect := canvas.NewRectangle(theme.Color(theme.ColorNameSelection))
	rect.Move(fyne.NewPos(x0, 0))
	rect.Resize(fyne.NewSize(x1-x0, height))
	return rect
}

// The lines do not answer hovering: a line is text, not a row to pick
// (the List around them would otherwise light a line under the pointer).
// Over a link the pointer is a hand (see Cursor).

// MouseIn is a desktop.Hoverable's; it does nothing.
func (l *lineView) MouseIn(*desktop.MouseEvent) {}

// MouseMoved is a desktop.Hoverable's; it does nothing.
func (l *lineView) MouseMoved(*desktop.MouseEvent) {}

// MouseOut is a desktop.Hoverable's; it does nothing.
func (l *lineView) MouseOut() {}
