package ui

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"popvault/fetch/pop3test"
	"popvault/render"
)

// inkFrom is the first column holding a bright pixel.
func inkFrom(img image.Image) int {
	b := img.Bounds()
	for x := b.Min.X; x < b.Max.X; x++ {
		for y := b.Min.Y; y < b.Max.Y; y++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r+g+bl > 3*0xC000 {
				return x
			}
		}
	}
	return -1
}

// TestFyneShapesAWordRightToLeft checks what drawRTL builds on: Fyne
// draws the letters of one Hebrew word right to left (bet left of alef
// in "אב"), though it lays several words out left to right.
func TestFyneShapesAWordRightToLeft(t *testing.T) {
	test.NewTempApp(t)
	// On the UI goroutine, which paints the test driver's windows.
	draw := func(s string) (img image.Image) {
		ui(func() {
			txt := canvas.NewText(s, color.White)
			txt.TextSize = 40
			w := test.NewWindow(txt)
			defer w.Close()
			w.Resize(fyne.NewSize(200, 60))
			img = w.Canvas().Capture()
		})
		return img
	}
	ab, alef, bet := draw("אב"), draw("א"), draw("ב")
	differ := func(x image.Image, y image.Image) int {
		d := 0
		x0, y0 := inkFrom(x), inkFrom(y)
		for dx := 0; dx < 10; dx++ {
			for row := 0; row < 60; row++ {
				r1, _, _, _ := x.At(x0+dx, row).RGBA()
				r2, _, _, _ := y.At(y0+dx, row).RGBA()
				if (r1 > 0xC000) != (r2 > 0xC000) {
					d++
				}
			}
		}
		return d
	}
	if dBet, dAlef := differ(ab, bet), differ(ab, alef); dBet >= dAlef {
		t.Errorf("the left of אב looks like alef (%d pixels from bet, %d from alef)", dBet, dAlef)
	}
}

// TestDrawRTL: a right-to-left line is drawn word by word in the order of
// the Bidirectional Algorithm, against the right edge.
func TestDrawRTL(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	text := "שלום, זוהי הודעה."
	ui(func() {
		u.reader.cols = 60
		lv := newLineView(u.reader)
		lv.set(0, render.Line{Segs: []render.Seg{{Text: text, Tab: true}}}, false)
		var words []string
		lastX, right := float32(-1), float32(0)
		for _, o := range lv.box.Objects {
			if txt, ok := o.(*canvas.Text); ok {
				if txt.Position().X < lastX {
					t.Errorf("%q drawn left of the word before it", txt.Text)
				}
				lastX = txt.Position().X
				words = append(words, txt.Text)
				right = lastX + fyne.MeasureText(txt.Text, txt.TextSize, txt.TextStyle).Width
			}
		}
		visual, _ := render.Visual(text)
		if strings.Join(words, "") != visual || !strings.HasPrefix(visual, ".") {
			t.Errorf("drawn %q, want %q", strings.Join(words, ""), visual)
		}
		if edge := float32(60) * u.reader.charWidth(); right < edge-5 {
			t.Errorf("the line ends at %v, not against the right edge (%v)", right, edge)
		}
	})
}
