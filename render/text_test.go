package render

import (
	"math/rand"
	"regexp"
	"strings"
	"testing"
	"time"
)

// addressRE is what linkify finds, as the pattern it once used; the
// scanner that replaced it must find the same.
var addressRE = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"]+|\bmailto:[^\s<>"]+`)

// TestLinkifyAsThePattern compares the addresses linkify finds with the
// pattern's, in random text made of the pieces that matter.
func TestLinkifyAsThePattern(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	pieces := []string{"http://", "HTTPS://", "hTtP:/", "mailto:", "MAILTO:", "x", "_", "9", "é", " ", "\t", "\n", "\f", "\v", "<", ">", `"`,
		"'", "(", ")", ".", ",", "a@b", "/", "h", "m", "ailto:", "ttp://", "\xff"}
	for range 20000 {
		var b strings.Builder
		for n := r.Intn(12); n > 0; n-- {
			b.WriteString(pieces[r.Intn(len(pieces))])
		}
		s := b.String()
		var want [][2]int
		for _, m := range addressRE.FindAllStringIndex(s, -1) {
			want = append(want, [2]int{m[0], m[1]})
		}
		var got [][2]int
		for i := 0; ; {
			start, end := nextAddress(s, i)
			if start < 0 {
				break
			}
			got = append(got, [2]int{start, end})
			i = end
		}
		if len(got) != len(want) || len(got) > 0 && !equalPairs(got, want) {
			t.Fatalf("in %q: found %v, the pattern %v", s, got, want)
		}
	}
}

func equalPairs(a, b [][2]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestLinkify(t *testing.T) {
	for _, c := range []struct{ text, links string }{
		{"see http://x.example/a.", "http://x.example/a"},
		{"(http://x.example/a)", "http://x.example/a"},
		{"http://en.wikipedia.example/wiki/Mail_(disambiguation))).", "http://en.wikipedia.example/wiki/Mail_(disambiguation)"},
		{"http://x.example/" + strings.Repeat(")", 1000), "http://x.example/"},
		{"mailto:a@b.example, HTTPS://Y.example/", "mailto:a@b.example HTTPS://Y.example/"},
		{"xhttp://no _http://no http:// no", ""},
	} {
		var links []string
		for _, s := range linkify(c.text) {
			if s.Link != "" {
				if s.Link != s.Text {
					t.Errorf("%q: link %q shown as %q", c.text, s.Link, s.Text)
				}
				links = append(links, s.Link)
			}
		}
		if got := strings.Join(links, " "); got != c.links {
			t.Errorf("%q: links %q, want %q", c.text, got, c.links)
		}
	}
}
