package render

import (
	"strings"
	"testing"
)

// TestHidden: text that a browser does not show is not in the document;
// the text around it is.
func TestHidden(t *testing.T) {
	for _, c := range []struct{ name, src string }{
		{"display:none", `<div style="display:none">SECRET preheader</div>`},
		{"display:none !important, upper case", `<span style="DISPLAY: NONE !IMPORTANT">SECRET preheader</span>`},
		{"visibility:hidden", `<span style="visibility:hidden">SECRET preheader</span>`},
		{"max-height:0 and overflow:hidden", `<div style="max-height:0px;overflow:hidden">SECRET preheader</div>`},
		{"overflow:hidden, then height:0", `<div style="overflow:hidden; height:0">SECRET preheader</div>`},
		{"font-size:0", `<div style="font-size:0">SECRET preheader</div>`},
		{"font-size:0px with line-height:0", `<td style="font-size:0px;line-height:0px">SECRET preheader</td>`},
		{"opacity:0", `<span style="opacity:0;color:#fff">SECRET preheader</span>`},
		{"the hidden attribute", `<p hidden>SECRET preheader</p>`},
		{"Postmark's preheader", `<span class="preheader" style="display: none !important; visibility: hidden; mso-hide: all; font-size: 1px; line-height: 1px; max-height: 0; max-width: 0; opacity: 0; overflow: hidden;">SECRET preheader</span>`},
		{"a class hidden by a <style> rule", `<style>.preheader { display: none; }</style><span class="x preheader">SECRET preheader</span>`},
		{"a class of one element hidden by a rule", `<style>span.preheader{display:none !important}</style><span class="preheader">SECRET preheader</span>`},
		{"an id hidden by a rule", `<head><style>/* a comment */ #pre, .other { max-height: 0; overflow: hidden }</style></head><div id="pre">SECRET preheader</div>`},
		{"inside a hidden element", `<div style="display:none"><table><tr><td><p>SECRET <b>preheader</b></td></tr></table></div>`},
		{"a hidden cell, implicitly closed", `<table><tr><td style="display:none">SECRET preheader<td>`},
		{"a picture hidden", `<img src="https://x.example/SECRET.png" alt="SECRET preheader" style="display:none">`},
		{"a rule hidden", `<hr style="display:none"><span style="display:none">SECRET preheader</span>`},
		{"a line break in hidden text", `<p>visible<span style="display:none"><br>SECRET preheader<hr></span></p>`},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := HTML(`<p>before</p>` + c.src + `<p>after</p>`)
			got := docText(d)
			if strings.Contains(got, "SECRET") || strings.Contains(got, "preheader") {
				t.Errorf("hidden text shows:\n%s", got)
			}
			if !strings.Contains(got, "before") || !strings.Contains(got, "after") {
				t.Errorf("visible text went too:\n%s", got)
			}
			for _, b := range d.Blocks {
				if b.Kind == Rule {
					t.Errorf("a hidden rule shows")
				}
			}
			if len(d.Remote) > 0 {
				t.Errorf("a hidden picture is listed: %q", d.Remote)
			}
		})
	}
}

// TestShown: what hides only together with something else, or only in
// some places, or is undone inside, shows.
func TestShown(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"a size set inside a zero font", `<div style="font-size:0"><span style="font-size:16px">shown</span> gap</div>`, "shown"},
		{"max-height:0 without hidden overflow", `<div style="max-height:0">shown</div>`, "shown"},
		// Outlook's own: the bulletproof button hides its HTML link from
		// Outlook, which draws the VML one in a conditional comment. Every
		// other reader shows the link.
		{"mso-hide:all alone", `<!--[if mso]><v:roundrect>Button</v:roundrect><![endif]--><a href="https://b.example/" style="mso-hide:all">shown</a>`, "shown"},
		{"a rule inside @media", `<style>@media only screen and (max-width:480px){.pre{display:none !important}}</style><div class="pre">shown</div>`, "shown"},
		{"a rule by structure", `<style>div span {display:none} .a .b{display:none}</style><div><span class="b">shown</span></div>`, "shown"},
		{"a class that no rule names", `<style>.other{display:none}</style><p class="pre">shown</p>`, "shown"},
		{"opacity not zero", `<p style="opacity:0.8">shown</p>`, "shown"},
		{"display:block", `<span style="display:block">shown</span>`, "shown"},
		{"visible after a hidden sibling", `<span style="display:none">x</span>shown`, "shown"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := docText(HTML(c.src)); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
