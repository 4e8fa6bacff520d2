package render

import (
	"os"
	"strings"
	"testing"
)

// links are the texts of a document that are links, with their
// addresses, as laid out at a width where none wraps.
func links(d *Doc) map[string]string {
	out := map[string]string{}
	for _, l := range Layout(d, 200) {
		for _, s := range l.Segs {
			if s.Link != "" {
				out[flat(s.Text)] = s.Link
			}
		}
	}
	return out
}

// TestLinkAddresses checks which addresses make a link: the web's and
// mail's, and those with no scheme, which a browser draws as links too;
// never another scheme, however it is disguised.
func TestLinkAddresses(t *testing.T) {
	for _, c := range []struct {
		href     string
		link     bool // drawn as a link
		openable bool // handed to a browser or mail program
	}{
		{"https://shop.example/", true, true},
		{"HTTP://shop.example/", true, true},
		{"mailto:help@example.com", true, true},
		{"{{billing_url}}", true, false},
		{"*|UNSUB|*", true, false},
		{"*|FACEBOOK:PROFILEURL|*", true, false},
		{"/account", true, false},
		{"#top", true, false},
		{"javascript:alert(1)", false, false},
		{"JavaScript:alert(1)", false, false},
		{"java&#9;script:alert(1)", false, false},
		{"java&#10;script:alert(1)", false, false},
		{"&#1;javascript:alert(1)", false, false},
		{"file:///etc/passwd", false, false},
		{"data:text/html,hi", false, false},
		{"tel:+441234", false, false},
	} {
		t.Run(c.href, func(t *testing.T) {
			got := links(HTML(`<p>see <a href="` + c.href + `">here</a></p>`))
			if _, ok := got["here"]; ok != c.link {
				t.Errorf("a link: %v, want %v (links %q)", ok, c.link, got)
			}
			if got["here"] != "" && Openable(got["here"]) != c.openable {
				t.Errorf("openable: %v, want %v", !c.openable, c.openable)
			}
		})
	}
}

// TestUnfilledTemplateLinks reads Postmark's receipt as its template
// stands, its addresses still merge tags ("{{billing_url}}") as when a
// sender's program leaves them unfilled: each of its links is a link in
// the reader, as in a browser.
func TestUnfilledTemplateLinks(t *testing.T) {
	src, err := os.ReadFile("testdata/templates/postmark-receipt.html")
	if err != nil {
		t.Fatal(err)
	}
	got := links(HTML(string(src)))
	for text, href := range map[string]string{
		"update your payment information": "{{billing_url}}",
		"support team":                    "{{support_url}}",
		"Download as PDF":                 "{{action_url}}",
		"download a PDF version":          "{{action_url}}",
		"update your billing information": "{{billing_url}}",
		"Use this discount now...":        "http://example.com",
	} {
		if got[text] != href {
			t.Errorf("%q links to %q, want %q", text, got[text], href)
		}
	}
	if t.Failed() {
		t.Logf("links: %q", strings.Join(keys(got), " | "))
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
