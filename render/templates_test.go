package render

import (
	"context"
	"flag"
	"fmt"
	"html"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	xdraw "golang.org/x/image/draw"
	nethtml "golang.org/x/net/html"
)

// template is a published email template of testdata/templates (see its
// README) and what a reader must see of it.
type template struct {
	file string
	// hidden is text the template hides (its preheader): never shown.
	hidden []string
	// apart are words of the template, in order, that must stay apart:
	// the markup separates them by a no-break space, an element or a cell.
	apart [][2]string
	// links are texts that must be links (buttons among them).
	links []string
}

var templates = []template{
	{file: "mailchimp-simple-basic.html",
		apart: [][2]string{{"reserved.", "*|IFNOT:ARCHIVE_PAGE|*"}, {"Twitter", "|"}, {"list", "|"}, {"is:", "*|HTML:LIST_ADDRESS_HTML|**|END:IF|*"}},
		links: []string{"follow on Twitter", "friend on Facebook", "unsubscribe from this list", "update subscription preferences", "View it in your browser"}},
	{file: "mailchimp-boxed-basic.html",
		apart: [][2]string{{"Twitter", "Friend"}, {"Facebook", "Forward"}, {"list", "update"}, {"correctly?", "View"}},
		links: []string{"Follow on Twitter", "Friend on Facebook", "Forward to Friend", "unsubscribe from this list", "update subscription preferences"}},
	{file: "mailchimp-transactional-tabular.html",
		apart: [][2]string{{"DATE", "EMAILS"}, {"SENT", "EMAIL"}, {"browser", "|"}, {"list", "|"}},
		links: []string{"See What Mandrill Can Do", "unsubscribe from this list"}},
	{file: "leemunroe-email.html",
		hidden: []string{"This is preheader text", "Some clients will show this text as a preview"},
		apart:  [][2]string{{"2NB", "Don't"}, {"emails?", "Unsubscribe"}, {"by", "HTMLemail"}},
		links:  []string{"Call To Action", "Unsubscribe", "HTMLemail"}},
	{file: "postmark-welcome.html",
		hidden: []string{"pulled together some information", "resources to help you get started"},
		apart:  [][2]string{{"Page:", "{{login_url}}"}, {"Username:", "{{username}}"}, {"Rd.", "Suite"}},
		links:  []string{"Do this Next", "help documentation", "live chat"}},
	{file: "postmark-receipt.html",
		hidden: []string{"This is a receipt for your recent purchase", "No payment is due with this receipt"},
		apart:  [][2]string{{"Description", "Amount"}, {"Total", "{{total}}"}, {"{{description}}", "{{amount}}"}},
		links:  []string{"Download as PDF", "update your billing information"}},
	{file: "mailgun-billing.html",
		apart: [][2]string{{"Munroe", "Invoice"}, {"1", "$"}, {"Total", "$"}, {"94102", "Questions?"}},
		links: []string{"View in browser"}},
	{file: "mailgun-action.html",
		apart: [][2]string{{"below.", "We"}, {"address", "—"}},
		links: []string{"Confirm email address", "@Mail_Gun"}},
}

// mergeTag is a template's place for an address that the sender's
// program fills in: "*|UNSUB|*", "{{action_url}}".
var mergeTag = regexp.MustCompile(`href="(mailto:)?(\*\|[^"|]*\|\*|\{\{[^"}]*\}\})"`)

// sent is a template as it reaches a reader: its merge tags for
// addresses filled in with web addresses, as the sender's program does.
func sent(t *testing.T, file string) string {
	src, err := os.ReadFile(filepath.Join("testdata/templates", file))
	if err != nil {
		t.Fatal(err)
	}
	return mergeTag.ReplaceAllStringFunc(string(src), func(m string) string {
		if strings.HasPrefix(m, `href="mailto:`) {
			return `href="mailto:help@example.com"`
		}
		return `href="https://example.com/` + strings.Trim(m[len(`href="`):len(m)-1], "*|{}") + `"`
	})
}

// flat is a document's text on one line, white space (no-break spaces
// too) made single spaces.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }

// sourceHeadings are the headings of HTML, level and text, in order.
func sourceHeadings(src string) []string {
	var out []string
	z := nethtml.NewTokenizer(strings.NewReader(src))
	level := 0
	var text strings.Builder
	for {
		switch z.Next() {
		case nethtml.ErrorToken:
			return out
		case nethtml.StartTagToken:
			if name, _ := z.TagName(); len(name) == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6' {
				level = int(name[1] - '0')
				text.Reset()
			}
		case nethtml.TextToken:
			if level > 0 {
				text.Write(z.Text())
			}
		case nethtml.EndTagToken:
			if name, _ := z.TagName(); level > 0 && len(name) == 2 && name[0] == 'h' {
				out = append(out, fmt.Sprintf("h%d %s", level, flat(html.UnescapeString(text.String()))))
				level = 0
			}
		}
	}
}

// TestTemplates renders published templates and checks what a reader
// of each sees: nothing hidden, no words run together, every heading at
// its level, links and buttons as links.
func TestTemplates(t *testing.T) {
	for _, tpl := range templates {
		t.Run(tpl.file, func(t *testing.T) {
			src := sent(t, tpl.file)
			d := HTML(src)
			text := flat(docText(d))
			for _, h := range tpl.hidden {
				if strings.Contains(text, h) {
					t.Errorf("hidden text shows: %q", h)
				}
			}
			for _, p := range tpl.apart {
				if strings.Contains(text, p[0]+p[1]) || !strings.Contains(text, p[0]+" "+p[1]) {
					t.Errorf("%q and %q are not one space apart", p[0], p[1])
				}
			}
			var headings []string
			for _, b := range d.Blocks {
				if b.Kind == Heading {
					headings = append(headings, fmt.Sprintf("h%d %s", b.Level, flat(Text(b.Spans))))
				}
			}
			if want := sourceHeadings(src); strings.Join(headings, "|") != strings.Join(want, "|") {
				t.Errorf("headings %q, want %q", headings, want)
			}
			links := map[string]bool{}
			for _, l := range Layout(d, 100) {
				for _, s := range l.Segs {
					if s.Link != "" {
						links[flat(s.Text)] = true
					}
				}
			}
			for _, want := range tpl.links {
				found := false
				for l := range links {
					found = found || strings.Contains(l, want)
				}
				if !found {
					t.Errorf("%q is not a link; links: %v", want, links)
				}
			}
			// Nothing shows only invisible characters (a preheader's padding).
			for _, l := range Layout(d, 100) {
				if l.Text() != "" && blank(l.Text()) {
					t.Errorf("a line of invisible characters: %q", l.Text())
				}
			}
		})
	}
}

var chromiumPNG = flag.String("chromium-png", "", "write each template as Chromium draws it, scaled down, to this folder as PNG (docs/templates)")

// innerTextScript puts the page's text as Chromium shows it (innerText:
// without what styles hide) into an attribute of the page, for
// --dump-dom to bring out.
const innerTextScript = `<script>document.documentElement.setAttribute("data-shown", document.body.innerText)</script>`

// TestTemplatesInChromium compares each template's text in popvault with
// the text Chromium shows: the hidden text is hidden in both, the words
// kept apart are apart in Chromium too (so the lists above are the
// browser's), and no two words that Chromium shows apart run together in
// popvault. With -chromium-png it also draws each to a PNG.
func TestTemplatesInChromium(t *testing.T) {
	for _, tpl := range templates {
		t.Run(tpl.file, func(t *testing.T) {
			src := sent(t, tpl.file)
			page := strings.Replace(src, "</body>", innerTextScript+"</body>", 1)
			dom, _ := loadInChromium(t, []byte(page))
			m := regexp.MustCompile(`data-shown="([^"]*)"`).FindStringSubmatch(dom)
			if m == nil {
				t.Fatalf("Chromium gave no text: %.300s", dom)
			}
			shown := html.UnescapeString(m[1])
			chrome := flat(shown)
			ours := flat(docText(HTML(src)))
			for _, h := range tpl.hidden {
				if strings.Contains(chrome, h) {
					t.Errorf("Chromium shows %q: the list of hidden text is wrong", h)
				}
			}
			for _, p := range tpl.apart {
				if strings.Contains(chrome, p[0]+p[1]) || !strings.Contains(chrome, p[0]) || !strings.Contains(chrome, p[1]) {
					t.Errorf("Chromium does not show %q and %q apart", p[0], p[1])
				}
			}
			words := strings.Fields(shown)
			for i := 1; i < len(words); i++ {
				joined := words[i-1] + words[i]
				if strings.Contains(ours, joined) && !strings.Contains(chrome, joined) {
					t.Errorf("%q runs together in popvault; Chromium shows %q %q", joined, words[i-1], words[i])
				}
			}
			if *chromiumPNG != "" {
				shoot(t, []byte(src), filepath.Join(*chromiumPNG, strings.TrimSuffix(tpl.file, ".html")+".png"))
			}
		})
	}
}

// shoot draws page in headless Chromium, as wide as a reader's pane, and
// writes it to path at half its size. Remote pictures are not loaded
// (the proxy of loadInChromium is not used: --blink-settings turns
// images off), as a reader that loads none shows the mail.
func shoot(t *testing.T, page []byte, path string) {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "page.html")
	if err := os.WriteFile(in, page, 0o600); err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(dir, "full.png")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--proxy-server=http://127.0.0.1:9", "--hide-scrollbars",
		"--window-size=760,1800", "--screenshot="+full, "file://"+in)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(full)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// Down to half, and cropped below the last row that is not blank.
	b := img.Bounds()
	last := b.Min.Y
	bg := img.At(b.Min.X, b.Max.Y-1)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			if img.At(x, y) != bg {
				last = y
				break
			}
		}
	}
	src := image.Rect(b.Min.X, b.Min.Y, b.Max.X, min(b.Max.Y, last+20))
	small := image.NewRGBA(image.Rect(0, 0, src.Dx()/2, src.Dy()/2))
	xdraw.CatmullRom.Scale(small, small.Bounds(), img, src, xdraw.Src, nil)
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(out, small); err != nil {
		t.Fatal(err)
	}
}
