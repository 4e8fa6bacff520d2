package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"popvault/render"
	"popvault/render/linkcheck"
)

// lineView draws one line of a laid-out message: quote bars, then its
// segments in their styles, table cells at their columns; a tap on a
// link asks before opening it.
type lineView struct {
	widget.BaseWidget
	r      *reader
	id     int // the line's index in r.lines
	line   render.Line
	marked bool
	box    *fyne.Container
	segX   []float32 // where each segment starts and ends
	segEnd []float32
	// picture and rtl: the line is drawn as a picture, or in visual
	// order; a selection takes all of it or none.
	picture, rtl bool
}

func newLineView(r *reader) *lineView {
	l := &lineView{r: r, box: container.NewWithoutLayout()}
	l.ExtendBaseWidget(l)
	return l
}

func (l *lineView) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(l.box) }

func (l *lineView) MinSize() fyne.Size {
	return fyne.NewSize(0, fyne.MeasureText("Mg", theme.TextSize(), fyne.TextStyle{}).Height+theme.Padding()/2)
}

// set shows line id.
func (l *lineView) set(id int, line render.Line, marked bool) {
	l.id, l.line, l.marked = id, line, marked
	l.draw()
}

const quoteBar = 12 // the room each quote level takes, its bar included

func (l *lineView) draw() {
	line := l.line
	size := theme.TextSize()
	height := l.MinSize().Height
	if line.Kind == render.Heading {
		size *= render.HeadingScale(line.Level)
	}
	objs := l.quoteBars(make([]fyne.CanvasObject, 0, len(line.Segs)+line.Quote+2))
	perChar := l.r.charWidth()
	x0 := theme.Padding() + float32(line.Quote*quoteBar) + float32(line.Indent)*perChar
	l.segX, l.segEnd = l.segX[:0], l.segEnd[:0]
	l.picture, l.rtl = false, false
	if size, ok := l.r.pictureSize(line); ok {
		l.picture = true
		img := canvas.NewImageFromImage(l.r.linePicture(line))
		img.FillMode = canvas.ImageFillContain
		img.Move(fyne.NewPos(x0, 0))
		img.Resize(size)
		if mark := l.selectionMark(size.Height); mark != nil {
			objs = append(objs, mark)
		}
		l.box.Objects = append(objs, img)
		l.box.Refresh()
		return
	}
	if text := line.Text(); line.Kind != render.Table && line.Kind != render.Rule && render.HasRTL(text) {
		l.rtl = true
		l.drawRTL(line, text, x0, perChar)
		return
	}
	switch line.Kind {
	case render.Rule:
		rule := canvas.NewLine(theme.Color(theme.ColorNameSeparator))
		rule.Position1 = fyne.NewPos(x0, height/2)
		rule.Position2 = fyne.NewPos(x0+float32(l.r.cols)*perChar, height/2)
		objs = append(objs, rule)
	default:
		x := x0
		for _, s := range line.Segs {
			style, c := l.look(s)
			// Underlines are drawn here: not every theme has a face for
			// TextStyle.Underline (Fyne's test theme has none).
			underline := s.Style&render.Underline != 0 || s.Link != ""
			t := canvas.NewText(s.Text, c)
			t.TextSize, t.TextStyle = size, style
			if s.Tab {
				x = x0 + float32(s.Col)*perChar
			}
			t.Move(fyne.NewPos(x, 0))
			m := fyne.MeasureText(s.Text, size, style)
			l.segX, l.segEnd = append(l.segX, x), append(l.segEnd, x+m.Width)
			objs = append(objs, t)
			if underline {
				u := canvas.NewLine(c)
				u.Position1, u.Position2 = fyne.NewPos(x, m.Height-1), fyne.NewPos(x+m.Width, m.Height-1)
				objs = append(objs, u)
			}
			x += m.Width
		}
	}
	// Behind the text: measured now that the segments are placed.
	if mark := l.selectionMark(height * max(1, size/theme.TextSize())); mark != nil {
		objs = append([]fyne.CanvasObject{mark}, objs...)
	}
	l.box.Objects = objs
	l.box.Refresh()
}

// look is a segment's typeface and colour on this line.
func (l *lineView) look(s render.Seg) (fyne.TextStyle, color.Color) {
	style := fyne.TextStyle{Bold: s.Style&render.Bold != 0 || l.line.Kind == render.Heading || l.marked,
		Italic: s.Style&render.Italic != 0, Monospace: s.Style&render.Mono != 0}
	c := theme.Color(theme.ColorNameForeground)
	switch {
	case l.marked:
		c = theme.Color(theme.ColorNamePrimary)
	case s.Link != "":
		c = theme.Color(theme.ColorNameHyperlink)
	case l.line.Quote > 0:
		c = dim(c)
	}
	return style, c
}

// quoteBars appends a bar for each quote the line is inside.
func (l *lineView) quoteBars(objs []fyne.CanvasObject) []fyne.CanvasObject {
	for q := 0; q < l.line.Quote; q++ {
		bar := canvas.NewRectangle(theme.Color(theme.ColorNamePrimary))
		bar.Move(fyne.NewPos(theme.Padding()+float32(q*quoteBar), 0))
		bar.Resize(fyne.NewSize(3, l.MinSize().Height))
		objs = append(objs, bar)
	}
	return objs
}

// dim is a quote's text colour: the foreground, half as strong.
func dim(c color.Color) color.Color {
	r, g, b, a := c.RGBA()
	return color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: uint8(int(a>>8) * 3 / 4)}
}

// Tapped drops the selection, and opens the link under the pointer,
// after asking.
func (l *lineView) Tapped(ev *fyne.PointEvent) {
	l.r.selectNone()
	if link := l.linkAt(ev.Position.X); link != "" {
		l.r.askOpenLink(link, l.r.linkText(l.id, link))
	}
}

// linkAt is the link drawn at x on the line, or "".
func (l *lineView) linkAt(x float32) string {
	for i, s := range l.line.Segs {
		if i < len(l.segX) && s.Link != "" && x >= l.segX[i] && x <= l.segEnd[i] {
			return s.Link
		}
	}
	return ""
}

// Cursor is a pointing hand over a line with a link, and the text
// cursor over others: their text can be selected.
func (l *lineView) Cursor() desktop.Cursor {
	for _, s := range l.line.Segs {
		if s.Link != "" {
			return desktop.PointerCursor
		}
	}
	return desktop.TextCursor
}

// linkText is the whole visible text of the link on line id, which may
// run over several lines.
func (r *reader) linkText(id int, link string) string {
	has := func(i int) bool {
		if i < 0 || i >= len(r.lines) {
			return false
		}
		for _, s := range r.lines[i].Segs {
			if s.Link == link {
				return true
			}
		}
		return false
	}
	first, last := id, id
	for has(first - 1) {
		first--
	}
	for has(last+1) && last-first < 20 {
		last++
	}
	var b strings.Builder
	for i := first; i <= last; i++ {
		for _, s := range r.lines[i].Segs {
			if s.Link == link {
				b.WriteString(s.Text)
			}
		}
		b.WriteByte(' ')
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// askOpenLink shows where a link really goes, and warns when its text
// names another site, before handing it to the browser.
func (r *reader) askOpenLink(link, text string) {
	if !render.Openable(link) {
		r.sayUnopenable(link)
		return
	}
	v := linkcheck.Check(link, text)
	msg := "Open this address in your browser?\n\n" + v.Address
	if warning := v.Message(); warning != "" {
		msg = warning + "\n\n" + msg
	}
	label := widget.NewLabel(msg)
	label.Wrapping = fyne.TextWrapBreak
	// Cancel is the default (the primary button, and Enter): a link in
	// mail is where phishing starts, so opening takes a deliberate choice.
	d := dialog.NewCustomWithoutButtons("Open link", label, r.u.win)
	cancel := r.u.dialogButton("Cancel", d.Hide)
	cancel.Importance = widget.HighImportance
	open := r.u.dialogButton("Open", func() {
		d.Hide()
		r.u.handOff(toBrowser, link)
	})
	d.SetButtons([]fyne.CanvasObject{cancel, open})
	d.Resize(fyne.NewSize(480, 220))
	r.u.showDialog(d, d.Hide)
	r.asked = d
}

// sayUnopenable tells that a link has no address a browser could open
// from a mail: a merge tag the sender's program left unfilled, or a
// page's own path. It offers only Close; Copy link address still copies
// what the link holds.
func (r *reader) sayUnopenable(link string) {
	if r := []rune(link); len(r) > 120 {
		link = string(r[:120]) + "…"
	}
	label := widget.NewLabel("This link goes nowhere: its address, \"" + link + "\", is not a web address. " +
		"It is a placeholder the sender's program did not fill in, or a part of a web page the mail was copied from. " +
		"The sender's web site may have the page it meant.")
	label.Wrapping = fyne.TextWrapWord
	d := r.u.custom("Link without an address", "Close", label)
	d.Resize(fyne.NewSize(480, 200))
	r.u.showDialog(d, d.Hide)
	r.asked = d
}

// drawRTL draws a line holding right-to-left text in the order the
// Bidirectional Algorithm gives (render.Visual), against the right edge
// where the paragraph is right-to-left, in its first segment's style: Fyne
// shapes each word but lays words out left to right. The whole line is
// its first link, if it has one.
func (l *lineView) drawRTL(line render.Line, text string, x0, perChar float32) {
	visual, rtl := render.Visual(text)
	first := line.Segs[0]
	link := ""
	for _, s := range line.Segs {
		if s.Link != "" {
			link = s.Link
			break
		}
	}
	first.Link = link
	style, c := l.look(first)
	size := theme.TextSize()
	// Each word is drawn on its own: given several, Fyne's shaper would
	// order them again.
	words := render.Words(visual)
	widths := make([]float32, len(words))
	var w float32
	for i, word := range words {
		widths[i] = fyne.MeasureText(word, size, style).Width
		w += widths[i]
	}
	x := x0
	if right := theme.Padding() + float32(l.r.cols)*perChar; rtl && right-w > x0 {
		x = right - w
	}
	objs := l.quoteBars(nil)
	l.segX, l.segEnd = l.segX[:0], l.segEnd[:0]
	for _, s := range line.Segs {
		if s.Link == link && link != "" {
			l.segX, l.segEnd = append(l.segX, x), append(l.segEnd, x+w) // x: where the line starts
		} else {
			l.segX, l.segEnd = append(l.segX, 0), append(l.segEnd, -1)
		}
	}
	for i, word := range words {
		t := canvas.NewText(word, c)
		t.TextSize, t.TextStyle = size, style
		t.Move(fyne.NewPos(x, 0))
		objs = append(objs, t)
		x += widths[i]
	}
	if mark := l.selectionMark(l.MinSize().Height); mark != nil {
		objs = append([]fyne.CanvasObject{mark}, objs...)
	}
	l.box.Objects = objs
	l.box.Refresh()
}

// bidiText is s in drawing order where it holds right-to-left text.
func bidiText(s string) string {
	v, _ := render.Visual(s)
	return v
}
