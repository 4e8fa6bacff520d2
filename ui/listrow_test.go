package ui

import (
	"image/color"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"popvault/fetch/pop3test"
)

// TestShortDate: one rule for the list's dates: the time today, month
// and day this year, the whole date before.
func TestShortDate(t *testing.T) {
	now := time.Now()
	for name, tc := range map[string]struct {
		t    time.Time
		want string
	}{
		"today":     {time.Date(now.Year(), now.Month(), now.Day(), 9, 5, 0, 0, time.Local), "09:05"},
		"this year": {time.Date(now.Year(), 1, 1, 9, 5, 0, 0, time.Local), "Jan 1"},
		"older":     {time.Date(2020, 1, 1, 9, 5, 0, 0, time.Local), "2020-01-01"},
	} {
		t.Run(name, func(t *testing.T) {
			if now.YearDay() == 1 && name == "this year" {
				tc.want = "09:05" // on New Year's Day, January 1st is today
			}
			if got := shortDate(tc.t); got != tc.want {
				t.Errorf("%v: %q, want %q", tc.t, got, tc.want)
			}
		})
	}
}

// TestRowLayout: a row's dates end at one edge whatever their form, an
// attachment is an icon; where the row is narrow, the size gives way,
// then the date, and the sender keeps room.
func TestRowLayout(t *testing.T) {
	test.NewTempApp(t)
	// On the UI goroutine, where text is measured: Fyne's font cache
	// is that goroutine's.
	ui(func() { rowLayoutCases(t) })
}

func rowLayoutCases(t *testing.T) {
	l := &messageList{}
	rows := []row{
		{date: time.Date(2020, 1, 1, 0, 0, 0, 0, time.Local).Unix(), size: 12345, attach: true, read: true,
			text: &rowText{from: "Ann Example", subject: "Minutes", preview: "The minutes of Monday"}},
		{date: time.Now().Unix(), size: 99, text: &rowText{from: "Bob", subject: "Lunch"}},
	}
	var views []*rowView
	for i := range rows {
		v := newRowView(l)
		v.set(i, &rows[i])
		views = append(views, v)
	}
	shown := func(o fyne.CanvasObject) bool { return o.Visible() && o.Position().X >= 0 && o.Size().Width > 0 }
	right := func(o fyne.CanvasObject) float32 { return o.Position().X + o.Size().Width }
	lay := func(v *rowView, width float32) {
		top := v.content.Objects[0].(*fyne.Container)
		top.Layout.Layout(top.Objects, fyne.NewSize(width, top.MinSize().Height))
	}
	// Wide: both rows show everything, their dates in one column at the
	// right edge.
	for _, v := range views {
		lay(v, 600)
		if !shown(v.size) || !shown(v.date) || right(v.date) != 600 {
			t.Errorf("wide: size shown %v, date at %v–%v", shown(v.size), v.date.Position().X, right(v.date))
		}
	}
	if views[0].date.Position().X != views[1].date.Position().X {
		t.Errorf("dates in different columns: %v and %v", views[0].date.Position().X, views[1].date.Position().X)
	}
	// Narrower and narrower: the size gives way, then the date; the
	// sender keeps its room.
	v := views[0]
	room := min(senderRoom(), textWidth(v.from))
	icon := theme.IconInlineSize() + theme.Padding()
	for _, tc := range []struct {
		width      float32
		size, date bool
	}{
		{room + icon + dateWidth() + sizeWidth() + 1, true, true},
		{room + icon + dateWidth() + 1, false, true},
		{room + icon + 1, false, false},
	} {
		lay(v, tc.width)
		if shown(v.size) != tc.size || shown(v.date) != tc.date || v.from.Size().Width < room {
			t.Errorf("width %v: size %v, date %v, sender %v of %v", tc.width, shown(v.size), shown(v.date), v.from.Size().Width, room)
		}
	}
	if w := views[0].MinSize().Width; w < senderRoom() {
		t.Errorf("the row narrows to %v, below the sender's room %v", w, senderRoom())
	}
	if !views[0].clip.Visible() || views[1].clip.Visible() || views[0].preview.Text != "The minutes of Monday" {
		t.Errorf("attachment icons %v %v, preview %q", views[0].clip.Visible(), views[1].clip.Visible(), views[0].preview.Text)
	}
}

// variantTheme is Fyne's own theme in one variant, whatever the
// desktop's.
type variantTheme struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// TestPreviewContrast: a row's preview, drawn in light and in dark, on a
// selected row and on another, keeps a contrast of 4.5:1 against the
// background behind it, and is dimmer than the subject where the
// background leaves room for that.
func TestPreviewContrast(t *testing.T) {
	a := test.NewTempApp(t)
	for _, variant := range []struct {
		name string
		v    fyne.ThemeVariant
	}{{"light", theme.VariantLight}, {"dark", theme.VariantDark}} {
		for _, selected := range []bool{false, true} {
			var fg, text, behind color.Color
			ui(func() {
				th := variantTheme{theme.DefaultTheme(), variant.v}
				a.Settings().SetTheme(th)
				l := &messageList{widget: &mailList{cursor: -1}}
				if selected {
					l.widget.cursor = 0
				}
				v := newRowView(l)
				v.set(0, &row{text: &rowText{from: "Ann", subject: "Minutes", preview: "The minutes of Monday"}})
				test.NewWindow(v).Resize(fyne.NewSize(400, 100))
				walkShown([]fyne.CanvasObject{v.preview}, func(o fyne.CanvasObject) {
					if c, ok := o.(*canvas.Text); ok && c.Text == "The minutes of Monday" {
						text = c.Color
					}
				})
				fg = th.Color(theme.ColorNameForeground, variant.v)
				behind = th.Color(theme.ColorNameBackground, variant.v)
				if selected {
					behind = over(th.Color(theme.ColorNameSelection, variant.v), behind)
				}
			})
			if text == nil {
				t.Fatalf("%s: no preview drawn", variant.name)
			}
			c := contrast(text, behind)
			if c < minContrast {
				t.Errorf("%s, selected %v: the preview's contrast is %.2f:1", variant.name, selected, c)
			}
			if room := contrast(fg, behind) >= minContrast+1; room && c >= contrast(fg, behind) {
				t.Errorf("%s, selected %v: the preview (%.2f:1) is not dimmer than the subject (%.2f:1)", variant.name, selected, c, contrast(fg, behind))
			}
			t.Logf("%s, selected %v: preview %v, %.2f:1 against %v", variant.name, selected, text, c, behind)
		}
	}
}

// TestPreviewFollowsSelection: as the selection moves, the row left and
// the row chosen are drawn again, their previews in the colour for the
// background now behind them.
func TestPreviewFollowsSelection(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	storeAndOpen(t, u, string(testMail[0].Data), string(testMail[1].Data))
	ui(u.list.reload)
	eventually(t, "the list", func() bool { return len(u.list.items) == 2 })
	for _, chosen := range []int{0, 1} {
		ui(func() { u.list.widget.Select(chosen) })
		ui(func() {
			walkShown([]fyne.CanvasObject{w.Content()}, func(o fyne.CanvasObject) {
				if v, ok := o.(*rowView); ok && v.index >= 0 && v.ink.selected != (v.index == chosen) {
					t.Errorf("row %d chosen: row %d's preview is drawn as selected %v", chosen, v.index, v.ink.selected)
				}
			})
		})
	}
}
