package render

import (
	"os"
	"strings"
	"testing"
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
		`src="data:image/png;base64,UE5HREFUQQ=="`, `style="color:red"`, "new catalogue", `rel="nofollow noreferrer noopener"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, banned := range []string{"cdn.news.example", "<script", "document.write", "javascript:", "<iframe", "<form", "onclick", "cid:doc", "application/pdf"} {
		if strings.Contains(page, banned) {
			t.Errorf("the page holds %q", banned)
		}
	}
}
