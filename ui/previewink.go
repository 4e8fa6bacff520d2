package ui

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// previewInk is the theme of a list row's preview: the app's theme, but
// for the colour of low-importance text, which Fyne draws in its
// disabled colour (about 1.3:1 against the background, in light and dark
// alike). The preview gets the foreground instead, dimmed toward the
// background behind it (the list's, or the selection's on a selected
// row) only as far as the text keeps a contrast of 4.5:1 (WCAG's AA for
// body text) against it.
type previewInk struct {
	selected bool
}

// minContrast is the contrast the preview keeps against its background.
const minContrast = 4.5

func (p *previewInk) base() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

func (p *previewInk) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	th := p.base()
	if n != theme.ColorNameDisabled {
		return th.Color(n, v)
	}
	bg := th.Color(theme.ColorNameBackground, v)
	behind := []color.Color{bg, over(th.Color(theme.ColorNameHover, v), bg)} // a row under the pointer
	if p.selected {
		behind = []color.Color{over(th.Color(theme.ColorNameSelection, v), bg)}
	}
	return previewColor(th.Color(theme.ColorNameForeground, v), behind)
}

func (p *previewInk) Font(s fyne.TextStyle) fyne.Resource     { return p.base().Font(s) }
func (p *previewInk) Icon(n fyne.ThemeIconName) fyne.Resource { return p.base().Icon(n) }
func (p *previewInk) Size(n fyne.ThemeSizeName) float32       { return p.base().Size(n) }

// previewColor is fg dimmed toward the first of behind as far as it keeps
// minContrast against each of them; fg itself where even that is too
// little.
func previewColor(fg color.Color, behind []color.Color) color.Color {
	for t := 0.5; t > 0; t -= 0.05 {
		c := mix(fg, behind[0], t)
		ok := true
		for _, b := range behind {
			ok = ok && contrast(c, b) >= minContrast
		}
		if ok {
			return c
		}
	}
	return fg
}

// mix is a, moved the fraction t of the way to b.
func mix(a, b color.Color, t float64) color.NRGBA {
	ar, ag, ab := rgb(a)
	br, bg, bb := rgb(b)
	m := func(x, y float64) uint8 { return uint8(math.Round((x*(1-t) + y*t) * 255)) }
	return color.NRGBA{R: m(ar, br), G: m(ag, bg), B: m(ab, bb), A: 0xff}
}

// over is c, which may be translucent, drawn over the opaque bg.
func over(c, bg color.Color) color.NRGBA {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return mix(bg, color.NRGBA{R: n.R, G: n.G, B: n.B, A: 0xff}, float64(n.A)/255)
}

// rgb is c's red, green and blue, 0 to 1, without alpha.
func rgb(c color.Color) (r, g, b float64) {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return float64(n.R) / 255, float64(n.G) / 255, float64(n.B) / 255
}

// contrast is WCAG 2's contrast ratio of two opaque colours, 1 to 21.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// luminance is WCAG 2's relative luminance.
func luminance(c color.Color) float64 {
	lin := func(x float64) float64 {
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	r, g, b := rgb(c)
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
