package archive

import (
	"strings"

	"golang.org/x/net/html"
)

// BodyText is the message body as plain text: the text part, or else the
// HTML part reduced to text. Nothing remote is ever fetched.
func (v *View) BodyText() string {
	if strings.TrimSpace(v.Text) != "" || v.HTML == "" {
		return v.Text
	}
	return HTMLText(v.HTML)
}

// SearchText is the body's text as the search index reads it: the text
// part, and the HTML part reduced to text where there is no text part or
// where the HTML says what the text part does not (a stub: "This message
// is best read as HTML"). The window looks for a search's words in it,
// to mark them.
func (v *View) SearchText() string {
	if v.HTML == "" {
		return v.Text
	}
	html := HTMLText(v.HTML)
	switch {
	case strings.TrimSpace(v.Text) == "":
		return html
	case htmlAdds(v.Text, html):
		return v.Text + "\n" + html
	}
	return v.Text
}

// HTMLText reduces HTML to readable text: scripts, styles and heads go,
// block elements become line breaks, links keep their address, images
// keep their alt text. It reads the markup with x/net/html's tokenizer and
// renders nothing.
func HTMLText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip := 0
	var href string
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken: // the end, or markup too broken to go on
			return tidy(b.String())
		case html.TextToken:
			if skip == 0 && b.Len() < maxViewText {
				b.WriteString(strings.Join(strings.Fields(html.UnescapeString(string(z.Text()))), " "))
				b.WriteByte(' ')
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				attrs[string(k)] = string(v)
			}
			switch {
			case tag == "script" || tag == "style" || tag == "head" || tag == "title":
				if tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			case tag == "a" && tt == html.StartTagToken:
				href = attrs["href"]
			case tag == "a" && tt == html.EndTagToken:
				if strings.HasPrefix(href, "http") && !strings.Contains(b.String()[max(0, b.Len()-len(href)-3):], href) {
					b.WriteString("<" + href + "> ")
				}
				href = ""
			case tag == "img" && attrs["alt"] != "":
				b.WriteString("[" + attrs["alt"] + "] ")
			case tag == "li" && tt == html.StartTagToken:
				b.WriteString("\n• ")
			case blockTags[tag]:
				b.WriteString("\n")
				if tag == "p" || tag == "tr" || strings.HasPrefix(tag, "h") && len(tag) == 2 {
					b.WriteString("\n")
				}
			}
		}
	}
}

var blockTags = map[string]bool{"br": true, "p": true, "div": true, "tr": true, "table": true, "ul": true, "ol": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true, "hr": true, "pre": true}

// tidy trims each line and allows at most one blank line in a row.
func tidy(s string) string {
	var out []string
	blank := true
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, line)
		blank = false
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
