package render

import (
	"encoding/base64"
	"html"
	"regexp"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

// Part finds a part of the message by its Content-ID, for a cid: address.
type Part func(cid string) (contentType string, data []byte, ok bool)

// Limits on the pictures a page embeds.
const (
	maxPicture  = 8 << 20
	maxPictures = 32 << 20
)

// csp forbids a page every load but its own pictures (data: URLs) and
// inline styles: no scripts, frames, fonts, forms or remote pictures,
// whatever the sanitizer let through.
const csp = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

// policy is made on first use: bluemonday compiles its patterns as the
// policy is built, and every run of the one binary would pay for that at
// start, cron's checks included.
var policy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	// What HTML mail lays itself out with.
	p.AllowElements("font", "center", "span", "div")
	p.AllowAttrs("style").Globally()
	p.AllowAttrs("bgcolor", "color", "align", "valign", "width", "height", "border", "cellpadding", "cellspacing", "dir").Globally()
	p.AllowAttrs("face", "size").OnElements("font")
	p.AllowDataURIImages()
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
})

var (
	cidRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)(\bsrc\s*=\s*["']?)cid:([^"'\s>]+)`) })
	// remoteRE finds the attributes that load a picture from the web, so
	// that they are renamed and the sanitizer drops them: a second fence
	// behind the Content-Security-Policy.
	remoteRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)\b(src|srcset|background|poster)(\s*=\s*["']?\s*(?:https?:|//))`)
	})
)

// Page makes an HTML body into a page to open in a browser: sanitized
// with bluemonday (no scripts, forms, frames or event handlers), the
// message's own pictures embedded as data: URLs, and a
// Content-Security-Policy that forbids loading anything from elsewhere.
func Page(title, body string, part Part) []byte {
	if len(body) > maxInput*4 {
		body = body[:maxInput*4]
	}
	body = remoteRE().ReplaceAllString(body, "data-remote-$1$2")
	embedded := 0
	body = cidRE().ReplaceAllStringFunc(body, func(m string) string {
		sub := cidRE().FindStringSubmatch(m)
		ctype, data, ok := part(sub[2])
		if !ok || !strings.HasPrefix(ctype, "image/") || strings.Contains(ctype, "svg") ||
			len(data) > maxPicture || embedded+len(data) > maxPictures {
			return sub[1]
		}
		embedded += len(data)
		return sub[1] + "data:" + ctype + ";base64," + base64.StdEncoding.EncodeToString(data)
	})
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n")
	b.WriteString(`<meta http-equiv="Content-Security-Policy" content="` + csp + `">` + "\n")
	b.WriteString(`<meta name="referrer" content="no-referrer">` + "\n")
	b.WriteString("<title>" + html.EscapeString(title) + "</title></head>\n<body>\n")
	b.WriteString(policy().Sanitize(body))
	b.WriteString("\n</body></html>\n")
	return []byte(b.String())
}
