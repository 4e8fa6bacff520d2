package ui

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image"
	pngenc "image/png"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/fetch/pop3test"
)

// openHTML stores an HTML message, opens it in the reader and waits.
func openHTML(t *testing.T, u *UI, name string) {
	t.Helper()
	body, err := os.ReadFile("../render/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	raw := "From: x@example.org\r\nSubject: " + name + "\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + string(body)
	st, err := u.arch.Store([]archive.Incoming{{Account: "a", UID: name, Raw: []byte(raw)}})
	if err != nil {
		t.Fatal(err)
	}
	ui(func() { u.reader.open(st[0].ID, false) })
	eventually(t, "the message open", func() bool { return u.reader.view != nil && u.reader.view.Subject == name })
}

// TestReaderLinks: a tap on a link asks first, shows where it goes,
// warns where its text names another site, and opens only on Open.
func TestReaderLinks(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	var opened []string
	u, w := newTestUIWith(t, s, Options{OpenURL: func(a string) error { opened = append(opened, a); return nil }})
	openHTML(t, u, "mismatch.html")
	tapLink := func(link string) {
		t.Helper()
		ui(func() {
			for i, l := range u.reader.lines {
				for j, seg := range l.Segs {
					if seg.Link == link {
						lv := newLineView(u.reader)
						lv.set(i, l, false)
						test.Tap(lv) // at 0,0: before the link
						if u.reader.asked != nil {
							t.Errorf("a tap beside the link opened a dialog")
						}
						lv.Tapped(&fyne.PointEvent{Position: fyne.NewPos(lv.segX[j]+1, 5)})
						return
					}
				}
			}
			t.Errorf("no line holds %s", link)
		})
	}
	tapLink("https://evil.example/login")
	var text string
	ui(func() {
		if u.reader.asked != nil {
			text = dialogLabels(w)
		}
	})
	if !strings.Contains(text, "Careful: the link's text shows www.bank.example, but it goes to evil.example") || !strings.Contains(text, "https://evil.example/login") {
		t.Fatalf("the dialog says %q", text)
	}
	tap(t, w, "Cancel")
	if len(opened) != 0 {
		t.Fatalf("opened %v on Cancel", opened)
	}
	ui(func() { u.reader.asked = nil })
	tapLink("https://www.bank.example/help")
	ui(func() { text = dialogLabels(w) })
	if strings.Contains(text, "Careful") {
		t.Errorf("a warning for an honest link: %q", text)
	}
	tap(t, w, "Open")
	eventually(t, "the link opened", func() bool { return len(opened) == 1 && opened[0] == "https://www.bank.example/help" })
}

// dialogLabels is the text of the labels on the window's dialogs.
func dialogLabels(w fyne.Window) string {
	var b strings.Builder
	walkShown(w.Canvas().Overlays().List(), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}

// TestReaderReflows: the body is laid out again for a new width.
func TestReaderReflows(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUIWith(t, s, Options{})
	// A paragraph long enough to take more lines at any narrower width:
	// a fixture's short lines may fit both widths.
	raw := "From: x@example.org\r\nSubject: long\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>" +
		strings.Repeat("A garden range, seeds and tools for spring. ", 40) + "</p>"
	st, err := u.arch.Store([]archive.Incoming{{Account: "a", UID: "long", Raw: []byte(raw)}})
	if err != nil {
		t.Fatal(err)
	}
	ui(func() { u.reader.open(st[0].ID, false) })
	eventually(t, "the message open", func() bool { return u.reader.view != nil && u.reader.view.Subject == "long" && len(u.reader.lines) > 0 })
	var wide int
	var lines int
	ui(func() { wide, lines = u.reader.cols, len(u.reader.lines) })
	ui(func() { w.Resize(fyne.NewSize(700, 700)) })
	eventually(t, "the body laid out narrower", func() bool { return u.reader.cols < wide && len(u.reader.lines) > lines })
	ui(func() {
		for _, l := range u.reader.lines {
			if n := len([]rune(l.Text())); n > u.reader.cols {
				t.Errorf("line %q is wider than %d", l.Text(), u.reader.cols)
			}
		}
	})
}

// TestViewInBrowserAndReply: View in browser writes a safe page, with the
// message's own picture embedded, where only this user can read it, and
// removes it when the window closes; Reply hands a mailto: address to
// the mail program.
func TestViewInBrowserAndReply(t *testing.T) {
	var pagePath string
	t.Cleanup(func() { // runs after the window's own Close
		if _, err := os.Stat(filepath.Dir(pagePath)); pagePath == "" || !os.IsNotExist(err) {
			t.Errorf("the pages' folder %q is still there after Close: %v", filepath.Dir(pagePath), err)
		}
	})
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	var opened []string
	u, _ := newTestUIWith(t, s, Options{OpenURL: func(a string) error { opened = append(opened, a); return nil }})
	var png bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	if err := pngenc.Encode(&png, img); err != nil {
		t.Fatal(err)
	}
	raw := "From: Shop <shop@example.org>\r\nReply-To: orders@example.org\r\nSubject: Spring\r\nMessage-ID: <n1@example.org>\r\n" +
		"Content-Type: multipart/related; boundary=b\r\n\r\n--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
		`<p>Hello <img src="cid:logo@x"><img src="https://t.example/p.png"><script>alert(1)</script></p>` + "\r\n" +
		"--b\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(png.Bytes()) + "\r\n--b--\r\n"
	st, err := u.arch.Store([]archive.Incoming{{Account: "a", UID: "1", Raw: []byte(raw)}})
	if err != nil {
		t.Fatal(err)
	}
	ui(func() { u.reader.open(st[0].ID, false) })
	eventually(t, "the message open", func() bool { return u.reader.view != nil })
	ui(u.reader.viewInBrowser)
	eventually(t, "the page opened", func() bool { return len(opened) == 1 })
	if !strings.HasPrefix(opened[0], "file://") {
		t.Fatalf("opened %q", opened[0])
	}
	pagePath = localPath(t, opened[0])
	page, err := os.ReadFile(pagePath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "data:image/png;base64,"+base64.StdEncoding.EncodeToString(png.Bytes())) ||
		strings.Contains(string(page), "<script") || strings.Contains(string(page), "t.example") {
		t.Errorf("the page: %s", page)
	}
	for path, want := range map[string]os.FileMode{pagePath: 0o600, filepath.Dir(pagePath): 0o700 | os.ModeDir} {
		if fi, err := os.Stat(path); err != nil || modesKept && fi.Mode() != want {
			t.Errorf("%s: %v %v", path, fi.Mode(), err)
		}
	}
	ui(func() { u.reader.handOff(replyLink) })
	eventually(t, "the reply handed off", func() bool { return len(opened) == 2 })
	if !strings.HasPrefix(opened[1], "mailto:orders%40example.org?subject=Re%3A%20Spring") {
		t.Errorf("reply %q", opened[1])
	}
}

// failingTransport fails the test on any HTTP request.
type failingTransport struct{ t *testing.T }

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("the reader asked the network for %s", r.URL)
	return nil, errors.New("no network in this test")
}

// TestReaderLoadsNothingRemote opens every message of the corpus, with
// its remote pictures, styles and frames, with HTTP and name lookups
// that fail the test if anything uses them.
func TestReaderLoadsNothingRemote(t *testing.T) {
	defer func(t0 http.RoundTripper, r0 *net.Resolver) { http.DefaultTransport, net.DefaultResolver = t0, r0 }(http.DefaultTransport, net.DefaultResolver)
	http.DefaultTransport = failingTransport{t}
	net.DefaultResolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
		t.Errorf("the reader looked a name up through %s", address)
		return nil, errors.New("no network in this test")
	}}
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	var opened []string
	u, _ := newTestUIWith(t, s, Options{OpenURL: func(a string) error { opened = append(opened, a); return nil }})
	files, _ := filepath.Glob("../render/testdata/*.html")
	for _, f := range files {
		openHTML(t, u, filepath.Base(f))
		ui(u.reader.viewInBrowser)
	}
	eventually(t, "every page written", func() bool { return len(opened) == len(files) })
}

// TestUnfilledLink: a template's link whose address the sender's program
// left unfilled ("{{billing_url}}") is drawn as a link, and a tap on it
// says it goes nowhere instead of handing it to the browser.
func TestUnfilledLink(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	var opened []string
	u, w := newTestUIWith(t, s, Options{OpenURL: func(a string) error { opened = append(opened, a); return nil }})
	openHTML(t, u, "templates/postmark-receipt.html")
	ui(func() {
		for i, l := range u.reader.lines {
			for j, seg := range l.Segs {
				if strings.Contains(seg.Text, "update your payment") {
					lv := newLineView(u.reader)
					lv.set(i, l, false)
					if _, c := lv.look(seg); c != theme.Color(theme.ColorNameHyperlink) {
						t.Errorf("the link is drawn in %v, not as a link", c)
					}
					lv.Tapped(&fyne.PointEvent{Position: fyne.NewPos(lv.segX[j]+1, 5)})
					return
				}
			}
		}
		t.Error("no line holds the link")
	})
	var text string
	ui(func() { text = dialogLabels(w) })
	if !strings.Contains(text, "This link goes nowhere") || !strings.Contains(text, "{{billing_url}}") {
		t.Fatalf("the dialog says %q", text)
	}
	var open *widget.Button
	ui(func() { open = button(w, "Open") })
	if open != nil {
		t.Error("the dialog offers Open")
	}
	tap(t, w, "Close")
	if len(opened) != 0 {
		t.Errorf("handed %v to the browser", opened)
	}
}
