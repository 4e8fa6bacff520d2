package render

import (
	"fmt"
	"strings"
	"testing"
)

// TestHeadingLevels: each of the six levels stays itself, in the
// document and on its lines, and each is drawn at a size of its own,
// larger than the text (but level 6, as large).
func TestHeadingLevels(t *testing.T) {
	var src strings.Builder
	for level := 1; level <= 6; level++ {
		fmt.Fprintf(&src, "<h%d>Level %d</h%d><p>text</p>", level, level, level)
	}
	d := HTML(src.String())
	var levels []int
	for _, b := range d.Blocks {
		if b.Kind == Heading {
			levels = append(levels, b.Level)
			if want := "Level " + fmt.Sprint(b.Level); Text(b.Spans) != want {
				t.Errorf("heading %q, want %q", Text(b.Spans), want)
			}
		}
	}
	if fmt.Sprint(levels) != "[1 2 3 4 5 6]" {
		t.Errorf("levels %v", levels)
	}
	var lineLevels []int
	for _, l := range Layout(d, 80) {
		if l.Kind == Heading {
			lineLevels = append(lineLevels, l.Level)
		}
	}
	if fmt.Sprint(lineLevels) != "[1 2 3 4 5 6]" {
		t.Errorf("line levels %v", lineLevels)
	}
	for level := 1; level < 6; level++ {
		if HeadingScale(level) <= HeadingScale(level+1) {
			t.Errorf("level %d is drawn no larger than level %d", level, level+1)
		}
	}
	if HeadingScale(5) <= 1 || HeadingScale(6) != 1 {
		t.Errorf("levels 5 and 6 drawn at %v and %v", HeadingScale(5), HeadingScale(6))
	}
}

// TestEmphasis: italic is italic and bold is bold, from elements and
// from styles, in paragraphs and in tables, and on the lines laid out.
func TestEmphasis(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      Style
	}{
		{"em", `<p>x <em>word</em></p>`, Italic},
		{"i", `<p>x <i>word</i></p>`, Italic},
		{"strong", `<p>x <strong>word</strong></p>`, Bold},
		{"both", `<p>x <b><i>word</i></b></p>`, Bold | Italic},
		{"font-style:italic", `<p>x <span style="font-style: italic">word</span></p>`, Italic},
		{"font-weight:bold", `<p>x <span style="font-weight:bold">word</span></p>`, Bold},
		{"font-weight:700 and italic", `<p>x <span style="font-weight:700;font-style:italic">word</span></p>`, Bold | Italic},
		{"font-weight:normal inside b", `<p>x <b><span style="font-weight:normal">word</span></b></p>`, 0},
		{"font-style:normal inside em", `<p>x <em><span style="font-style:normal">word</span></em></p>`, 0},
		{"a class's style", `<style>.em{font-style:italic}</style><p>x <span class="em">word</span></p>`, Italic},
		{"underline", `<p>x <span style="text-decoration:underline">word</span></p>`, Underline},
		{"italic in a data table", `<table><tr><td>a</td><td><em>word</em></td></tr><tr><td>b</td><td>c</td></tr></table>`, Italic},
		{"italic in a layout table", `<table role="presentation"><tr><td>Copyright <em>word</em></td></tr></table>`, Italic},
	} {
		t.Run(c.name, func(t *testing.T) {
			found := false
			for _, l := range Layout(HTML(c.src), 80) {
				for _, s := range l.Segs {
					if strings.Contains(s.Text, "word") {
						found = true
						if s.Style != c.want {
							t.Errorf("style %b, want %b", s.Style, c.want)
						}
					}
				}
			}
			if !found {
				t.Errorf("no segment holds the word")
			}
		})
	}
}
