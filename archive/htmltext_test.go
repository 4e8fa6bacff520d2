package archive

import "testing"

func TestHTMLText(t *testing.T) {
	tests := map[string]string{
		"<p>Hello <b>world</b></p><p>second</p>": "Hello world\n\nsecond",
		"<html><head><title>t</title><style>p{}</style></head><body>x<script>alert(1)</script></body></html>": "x",
		`<a href="https://example.org/x">click</a>`:                                                           "click <https://example.org/x>",
		`<img src="http://tracker/p.gif" alt="logo">`:                                                         "[logo]",
		"<ul><li>one</li><li>two</li></ul>":                                                                   "• one\n• two",
		"a&amp;b&lt;c&nbsp;d":                                                                                 "a&b<c d",
		"<p>unclosed <div>nested":                                                                             "unclosed\nnested",
	}
	for in, want := range tests {
		if got := HTMLText(in); got != want {
			t.Errorf("HTMLText(%q) = %q, want %q", in, got, want)
		}
	}
}
