package render

import (
	"encoding/base64"
	"html"
	"net/url"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	nethtml "golang.org/x/net/html"
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

// styles are the CSS properties a page keeps, each value checked by
// bluemonday's handler for it: what HTML mail lays itself out with, and
// none that can name an address (background, list-style, border-image,
// content, cursor, filter and the like can: they go, with the rest).
var styles = []string{
	"color", "background-color", "font-family", "font-size", "font-style", "font-weight", "font-variant",
	"text-align", "text-decoration", "text-transform", "text-indent", "letter-spacing", "word-spacing",
	"line-height", "white-space", "vertical-align", "direction",
	"margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
	"padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
	"border", "border-top", "border-right", "border-bottom", "border-left", "border-color", "border-style",
	"border-width", "border-radius", "border-collapse", "border-spacing",
	"width", "height", "max-width", "min-width", "max-height", "min-height",
	"display", "float", "clear", "table-layout", "list-style-type", "overflow",
}

// policy is made on first use: bluemonday compiles its patterns as the
// policy is built, and every run of the one binary would pay for that at
// start, cron's checks included.
var policy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	// What HTML mail lays itself out with.
	p.AllowElements("font", "center", "span", "div")
	p.AllowStyles(styles...).Globally()
	p.AllowAttrs("bgcolor", "color", "align", "valign", "width", "height", "border", "cellpadding", "cellspacing", "dir").Globally()
	p.AllowAttrs("face", "size").OnElements("font")
	p.AllowDataURIImages()
	// The message's own pictures: fence puts them in place of their cid:
	// addresses, after sanitizing.
	p.AllowURLSchemes("cid")
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
})

// Page makes an HTML body into a page to open in a browser: sanitized
// with bluemonday (no scripts, forms, frames or event handlers, styles
// limited to harmless properties); then every address in what is left
// is read as the browser will read it, and only web and mail links and
// the message's own pictures (embedded as data: URLs) stay; and a
// Content-Security-Policy forbids loading anything from elsewhere.
func Page(title, body string, part Part) []byte {
	if len(body) > maxInput*4 {
		body = body[:maxInput*4]
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n")
	b.WriteString(`<meta http-equiv="Content-Security-Policy" content="` + csp + `">` + "\n")
	b.WriteString(`<meta name="referrer" content="no-referrer">` + "\n")
	b.WriteString("<title>" + html.EscapeString(title) + "</title></head>\n<body>\n")
	fence(&b, policy().Sanitize(body), part)
	b.WriteString("\n</body></html>\n")
	return []byte(b.String())
}

// urlAttrs are the attributes that hold an address, in any element.
var urlAttrs = map[string]bool{
	"href": true, "src": true, "srcset": true, "cite": true, "background": true, "poster": true, "action": true,
	"formaction": true, "longdesc": true, "usemap": true, "data": true, "codebase": true, "lowsrc": true,
	"dynsrc": true, "ping": true, "manifest": true, "icon": true, "profile": true, "archive": true, "classid": true,
	"xmlns": true, "itemtype": true, "itemid": true, "xlink:href": true,
}

// fence writes sanitized HTML to b with its addresses rewritten: read by
// x/net/html's tokenizer, character references and all (a regular
// expression over the text was passed by "&#104;ttps:"), a link stays
// only where it is absolute (http:, https: or mailto:) and a picture
// only where it is the message's own; every other address goes, relative
// and protocol-relative ones first (on a page opened from a file,
// "//host/share" is a file share, which Windows answers with the user's
// password hash).
func fence(b *strings.Builder, sanitized string, part Part) {
	embedded := 0
	z := nethtml.NewTokenizer(strings.NewReader(sanitized))
	for {
		switch z.Next() {
		case nethtml.ErrorToken:
			return
		case nethtml.StartTagToken, nethtml.SelfClosingTagToken:
			tok := z.Token()
			kept := tok.Attr[:0]
			for _, a := range tok.Attr {
				if urlAttrs[a.Key] || strings.HasPrefix(a.Key, "on") {
					v, ok := address(tok.Data, a, part, &embedded)
					if !ok {
						continue
					}
					a.Val = v
				}
				kept = append(kept, a)
			}
			tok.Attr = kept
			b.WriteString(tok.String())
		default:
			b.Write(z.Raw())
		}
	}
}

// address is what an address attribute of an element becomes, if it
// stays.
func address(element string, a nethtml.Attribute, part Part, embedded *int) (string, bool) {
	switch {
	case a.Key == "href" && (element == "a" || element == "area"):
		return a.Val, isLink(a.Val)
	case a.Key == "src" && element == "img":
		v := strings.TrimSpace(a.Val)
		lower := strings.ToLower(v)
		switch {
		case strings.HasPrefix(lower, "data:image/") && !strings.HasPrefix(lower, "data:image/svg"):
			return v, true
		case strings.HasPrefix(lower, "cid:"):
			return embed(v[len("cid:"):], part, embedded)
		}
	}
	return "", false
}

// isLink reports whether an address may stay as a link: absolute, to
// the web (with a host) or to a mailbox, as a browser reads it (tabs and
// line breaks inside dropped, spaces and controls around it trimmed).
func isLink(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, strings.TrimFunc(v, func(r rune) bool { return r <= ' ' }))
	if strings.Contains(v, `\`) {
		return false // a browser reads it as a slash: "https:\\host" is protocol-relative in disguise
	}
	u, err := url.Parse(v)
	if err != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != "" && strings.HasPrefix(v[len(u.Scheme)+1:], "//")
	case "mailto":
		return true
	}
	return false
}

// embed is a data: URL of the message's part cid, if it is a picture
// within the limits.
func embed(cid string, part Part, embedded *int) (string, bool) {
	ctype, data, ok := part(cid)
	if unescaped, err := url.PathUnescape(cid); !ok && err == nil && unescaped != cid {
		ctype, data, ok = part(unescaped) // RFC 2392 escapes a Content-ID in its cid: address
	}
	ctype = strings.ToLower(strings.TrimSpace(strings.SplitN(ctype, ";", 2)[0]))
	if !ok || !strings.HasPrefix(ctype, "image/") || strings.Contains(ctype, "svg") || strings.ContainsAny(ctype, " \"'<>") ||
		len(data) > maxPicture || *embedded+len(data) > maxPictures {
		return "", false
	}
	*embedded += len(data)
	return "data:" + ctype + ";base64," + base64.StdEncoding.EncodeToString(data), true
}
