package render

import (
	"net/url"
	"os"
	"strings"
	"testing"

	nethtml "golang.org/x/net/html"
)

func TestPage(t *testing.T) {
	src, _ := os.ReadFile("testdata/newsletter.html")
	body := string(src) + `<iframe src="https://x.example/f"></iframe><form action="https://x.example/p"><input name=a></form>` +
		`<p onclick="steal()" style="color:red">styled</p><img src="cid:missing@x"><img src="cid:doc@x">`
	parts := map[string][2]string{"banner@news.example": {"image/png", "PNGDATA"}, "doc@x": {"application/pdf", "PDF"}}
	page := string(Page(`Spring <news>`, body, func(cid string) (string, []byte, bool) {
		p, ok := parts[cid]
		return p[0], []byte(p[1]), ok
	}))
	for _, want := range []string{"Content-Security-Policy", "default-src 'none'; img-src data:", "<title>Spring &lt;news&gt;</title>",
		`src="data:image/png;base64,UE5HREFUQQ=="`, `style="color: red"`, "new catalogue", `rel="nofollow noreferrer noopener"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, banned := range []string{"cdn.news.example", "<script", "document.write", "javascript:", "<iframe", "<form", "onclick", "cid:doc", "application/pdf"} {
		if strings.Contains(page, banned) {
			t.Errorf("the page holds %q", banned)
		}
	}
	checkPage(t, []byte(page))
}

// TestPageFences: each way past the fences that was found, and its
// kin. Nothing in the page may name a place to load from, and no
// address may be relative: what a link keeps is absolute.
func TestPageFences(t *testing.T) {
	noParts := func(string) (string, []byte, bool) { return "", nil, false }
	for _, c := range []struct {
		name, body string
		keep       string // what of the body must stay, if anything
	}{
		{"a character reference in a picture's address", `<img src="&#104;ttps://img.example/a.png" alt="a">`, `alt="a"`},
		{"a hexadecimal reference", `<img src="&#x68;ttps://img.example/a.png">`, ""},
		{"a named reference", `<img src="https&colon;//img.example/a.png">`, ""},
		{"a reference inside the scheme", `<img src="ht&#116;ps://img.example/a.png">`, ""},
		{"url() in a style", `<p style="background:url(https://css.example/bg.png)">x</p>`, ">x</p>"},
		{"url() with quotes", `<p style="background-image: url(&quot;https://css.example/bg.png&quot;)">x</p>`, ""},
		{"url() beside a kept property", `<p style="color: red; background: url(//css.example/bg.png)">x</p>`, `style="color: red"`},
		{"an escaped property name", `<p style="b\61ckground: url(https://css.example/bg.png)">x</p>`, ""},
		{"a list's picture", `<ul style="list-style: url(https://css.example/dot.png)"><li>x</ul>`, ""},
		{"a border's picture", `<p style="border-image: url(https://css.example/b.png) 30">x</p>`, ""},
		{"a cursor", `<p style="cursor: url(https://css.example/c.cur), auto">x</p>`, ""},
		{"a protocol-relative link", `<a href="//fileserver.example/share">s</a>`, ">s</a>"},
		{"a protocol-relative link, referenced", `<a href="&#47;&#47;fileserver.example/share">s</a>`, ""},
		{"a protocol-relative link after white space", `<a href=" 	//fileserver.example/share">s</a>`, ""},
		{"a tab inside the slashes", "<a href=\"/\t/fileserver.example/share\">s</a>", ""},
		{"backslashes", `<a href="\\fileserver.example\share">s</a>`, ""},
		{"backslashes after the scheme", `<a href="https:\\fileserver.example\share">s</a>`, ""},
		{"one slash after the scheme", `<a href="https:/fileserver.example/share">s</a>`, ""},
		{"no slash after the scheme", `<a href="https:fileserver.example">s</a>`, ""},
		{"a file address", `<a href="file://fileserver.example/share">s</a>`, ""},
		{"a relative link", `<a href="/login">s</a><a href="page.html">t</a><a href="#top">u</a>`, ">s</a>"},
		{"a protocol-relative picture", `<img src="//img.example/a.png">`, ""},
		{"a picture set", `<img srcset="https://img.example/a.png 2x, //img.example/b.png 3x">`, ""},
		{"a table's background", `<table background="https://img.example/t.png"><tr><td>x</table>`, ""},
		{"a quote's source", `<blockquote cite="//fileserver.example/q">q</blockquote>`, ">q</blockquote>"},
		{"an absolute link stays", `<a href="https://shop.example/order?id=1&amp;x=2">o</a>`, `href="https://shop.example/order?id=1&amp;x=2"`},
		{"a mail link stays", `<a href="mailto:help@shop.example">m</a>`, `href="mailto:help@shop.example"`},
		{"a picture of the message stays", `<img src="data:image/png;base64,UE5H">`, `src="data:image/png;base64,UE5H"`},
		{"an SVG picture goes", `<img src="data:image/svg+xml;base64,PHN2Zz4=">`, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			page := Page("t", c.body, noParts)
			checkPage(t, page)
			if !strings.Contains(string(page), c.keep) {
				t.Errorf("the page lost %q:\n%s", c.keep, page)
			}
		})
	}
}

// checkPage fails t where the page holds an address that is not an
// absolute web or mail link (a, area) or the message's own picture
// (img), or a style that can name one.
func checkPage(t *testing.T, page []byte) {
	t.Helper()
	z := nethtml.NewTokenizer(strings.NewReader(string(page)))
	for {
		tt := z.Next()
		if tt == nethtml.ErrorToken {
			return
		}
		if tt != nethtml.StartTagToken && tt != nethtml.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		for _, a := range tok.Attr {
			v := strings.ToLower(a.Val)
			switch {
			case a.Key == "style":
				if strings.Contains(v, "url") || strings.Contains(v, `\`) || strings.Contains(v, "image") {
					t.Errorf("<%s> keeps the style %q", tok.Data, a.Val)
				}
			case a.Key == "href" && (tok.Data == "a" || tok.Data == "area"):
				u, err := url.Parse(a.Val)
				if err != nil || !(u.Scheme == "mailto" || (u.Scheme == "http" || u.Scheme == "https") && strings.HasPrefix(v, u.Scheme+"://") && u.Host != "") ||
					strings.ContainsAny(a.Val, "\\\t\n\r") {
					t.Errorf("<%s> keeps the link %q", tok.Data, a.Val)
				}
			case a.Key == "src" && tok.Data == "img":
				if !strings.HasPrefix(v, "data:image/") || strings.HasPrefix(v, "data:image/svg") {
					t.Errorf("<img> keeps the picture %q", a.Val)
				}
			case urlAttrs[a.Key], strings.HasPrefix(a.Key, "on"):
				t.Errorf("<%s> keeps %s=%q", tok.Data, a.Key, a.Val)
			}
		}
	}
}

// FuzzPage: whatever the body, the page names nothing to load and no
// relative address.
func FuzzPage(f *testing.F) {
	f.Add(`<img src="&#104;ttps://x.example/a"><a href="//s.example/x">a</a><p style="background:url(https://x.example/b)">p</p>`)
	f.Add(`<a href="https://x.example/">x</a><img src="cid:a@b"><table background="x.png"><tr><td style="color:red">c</table>`)
	f.Fuzz(func(t *testing.T, body string) {
		checkPage(t, Page("t", body, func(cid string) (string, []byte, bool) { return "image/png", []byte(cid), true }))
	})
}
