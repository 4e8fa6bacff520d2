package render

import (
	"strings"
	"testing"
)

// docText is a document's text as a reader sees it: each line of its
// layout at a width nothing wraps at, no-break spaces as spaces.
func docText(d *Doc) string {
	return strings.ReplaceAll(drawAll(Layout(d, 1000)), "\u00a0", " ")
}

// TestWhitespace: white space as a browser collapses and keeps it. Words
// that the mail separates, by a space, a no-break space or a block,
// stay apart; none is doubled.
func TestWhitespace(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"no-break spaces between links (Mailchimp's footer)",
			`<td><a href="https://t.example/">Follow on Twitter</a>&nbsp;&nbsp;&nbsp;<a href="https://f.example/">Friend on Facebook</a>&nbsp;&nbsp;&nbsp;<a href="https://w.example/">Forward to Friend</a>&nbsp;</td>`,
			"Follow on Twitter   Friend on Facebook   Forward to Friend"},
		{"a no-break space alone between links",
			`<p><a href="https://u.example/">unsubscribe from this list</a>&nbsp;<a href="https://p.example/">update subscription preferences</a></p>`,
			"unsubscribe from this list update subscription preferences"},
		{"a no-break space after a word before an element",
			`<p>Hello&nbsp;<b>world</b></p>`, "Hello world"},
		{"white space between inline elements", "<p><span>one</span>\n  <span>two</span>\t<em>three</em></p>", "one two three"},
		{"no space where the mail has none", `<p><b>bold</b>er and <i>it</i>alic</p>`, "bolder and italic"},
		{"white space runs collapse", "<p>  a \n\n b\t\tc  </p>", "a b c"},
		{"blocks break", `<div>one</div><div>two</div><p>three</p>four`, "one\n\ntwo\n\nthree\n\nfour"},
		{"cells of a layout row are apart", `<table><tr><td><a href="https://a.example/">Shop</a></td><td><a href="https://b.example/">Blog</a></td></tr></table>`, "Shop\n\nBlog"},
		{"cells of a data table are apart", `<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>`, "a  b\nc  d"},
		{"a line break", `<p>one<br>two</p>`, "one\ntwo"},
		{"a paragraph of no-break spaces is no paragraph", `<p>a</p><p>&nbsp;</p><p>&nbsp;&zwnj;&#847;</p><p>b</p>`, "a\n\nb"},
		{"no-break spaces at a paragraph's ends go", `<p>&nbsp; a b &nbsp;</p>`, "a b"},
		{"a no-break space does not collapse", `<p>a&nbsp;&nbsp; &nbsp;b</p>`, "a    b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := docText(HTML(c.src)); got != c.want {
				t.Errorf("got\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

// TestNoBreakSpaceJoins: a line never breaks at a no-break space.
func TestNoBreakSpaceJoins(t *testing.T) {
	d := HTML(`<p>aaaaaaaa bbbbbbbb&nbsp;cccccccc dddd</p>`)
	got := drawAll(Layout(d, 20))
	if want := "aaaaaaaa\nbbbbbbbb\u00a0cccccccc\ndddd"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
