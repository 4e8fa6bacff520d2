package ui

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"popvault/fetch/pop3test"
	"popvault/render/remoteimg"
)

// pictureServer is a local HTTPS server that serves a picture at every
// path and records what was asked.
type pictureServer struct {
	*httptest.Server
	mu    sync.Mutex
	asked []string
}

func newPictureServer(t *testing.T) *pictureServer {
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 40, 30))); err != nil {
		t.Fatal(err)
	}
	s := &pictureServer{}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.asked = append(s.asked, r.URL.Path)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "image/png")
		w.Write(img.Bytes())
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *pictureServer) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(slices.Values(s.asked))
}

// options are the window's options to load from s: trusting its
// certificate, on loopback, at its port.
func (s *pictureServer) options() remoteimg.Options {
	u, _ := url.Parse(s.URL)
	port, _ := strconv.Atoi(u.Port())
	return remoteimg.Options{RootCAs: s.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs,
		Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Ports: []uint16{uint16(port)}}
}

// TestRemotePictures: a message's pictures on the web are one line, and
// nothing is asked of their server until the person chooses; then only
// the message's pictures are, never its tracking pixel. "Always for
// this sender" is kept, and loads that sender's next message by itself,
// not another sender's.
func TestRemotePictures(t *testing.T) {
	pics := newPictureServer(t)
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUIWith(t, s, Options{RemotePictures: pics.options()})
	html := func(from, tag string) string {
		return "From: " + from + "\r\nSubject: " + tag + "\r\nContent-Type: text/html\r\n\r\n" +
			`<p>News</p><img src="` + pics.URL + `/` + tag + `/a.png" alt="A"><img src="` + pics.URL + `/` + tag + `/b.png" alt="B">` +
			`<img src="` + pics.URL + `/` + tag + `/pixel.gif" width="1" height="1"><p>End</p>` + "\r\n"
	}
	ids := storeAndOpen(t, u, html("News <news@shop.example>", "one"), html("news@shop.example", "two"), html("Other <other@example.org>", "three"))
	eventually(t, "the bar", func() bool { return u.reader.remoteBar.content.Visible() })
	if got := u.reader.remoteBar.label.Text; got != "2 pictures on the web not loaded" {
		t.Errorf("the bar says %q", got)
	}
	if got := pics.requests(); len(got) != 0 {
		t.Fatalf("asked before the click: %v", got)
	}
	pictureLines := func() (n int) {
		ui(func() {
			for _, l := range u.reader.lines {
				if l.Img != nil && l.Img.Remote && u.reader.linePicture(l) != nil {
					n++
				}
			}
		})
		return n
	}
	if pictureLines() != 0 {
		t.Fatal("pictures drawn before they were loaded")
	}

	tap(t, w, "Load for this message")
	eventually(t, "the pictures drawn", func() bool { return pictureLines() == 2 })
	if got := pics.requests(); strings.Join(got, " ") != "/one/a.png /one/b.png" {
		t.Fatalf("asked %v", got)
	}
	if got := u.reader.remoteBar.label.Text; got != "2 pictures on the web loaded" {
		t.Errorf("the bar says %q", got)
	}

	tap(t, w, "Always for this sender")
	if got := u.alwaysSenders(); len(got) != 1 || got[0] != "news@shop.example" {
		t.Fatalf("kept %v", got)
	}
	if got := pics.requests(); len(got) != 2 {
		t.Errorf("the message's pictures were asked again: %v", got)
	}
	ui(func() { u.reader.open(ids[1], false) })
	eventually(t, "the same sender's next message loads by itself", func() bool {
		return u.reader.view != nil && u.reader.view.ID == ids[1] && u.reader.remoteBar.label.Text == "2 pictures on the web loaded"
	})
	if pictureLines() != 2 {
		t.Error("the next message's pictures are not drawn")
	}
	tap(t, w, "Stop loading for this sender")
	if got := u.alwaysSenders(); len(got) != 0 {
		t.Fatalf("still kept: %v", got)
	}
	ui(func() { u.reader.open(ids[2], false) })
	eventually(t, "another sender's message", func() bool { return u.reader.view != nil && u.reader.view.ID == ids[2] })
	if got := pics.requests(); strings.Join(got, " ") != "/one/a.png /one/b.png /two/a.png /two/b.png" {
		t.Fatalf("asked %v", got)
	}
}

// TestRemoteBarSays: the line says what became of the pictures, and
// offers to load them, or to try again, only where that can help.
func TestRemoteBarSays(t *testing.T) {
	newTestUI(t, pop3test.NewTLSServer(pop3test.Config{}))
	for _, tc := range []struct {
		n, loaded, failed int
		loading           bool
		says, button      string // button: "" for none
	}{
		{12, 0, 0, false, "12 pictures on the web not loaded", "Load for this message"},
		{1, 0, 0, true, "Loading one picture on the web…", ""},
		{12, 12, 0, false, "12 pictures on the web loaded", ""},
		{12, 10, 2, false, "12 pictures on the web: 10 loaded, 2 could not be", "Try again"},
		{1, 0, 1, false, "One picture on the web could not be loaded: no connection, or the server refused", "Try again"},
	} {
		var label, button string
		var shown bool
		ui(func() {
			b := newRemoteBar(&reader{})
			b.show(tc.n, tc.loaded, tc.failed, tc.loading)
			label, shown = b.label.Text, b.content.Visible()
			if b.load.Visible() {
				button = b.load.Text
			}
		})
		if label != tc.says || button != tc.button || !shown {
			t.Errorf("%+v: says %q, offers %q", tc, label, button)
		}
	}
}

// TestSettingsPictureSenders: Settings lists the senders whose pictures
// always load, each with Remove, which drops it from the choice the
// reader keeps (and the open message's bar offers "Always" again); with
// none left it says so.
func TestSettingsPictureSenders(t *testing.T) {
	pics := newPictureServer(t)
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUIWith(t, s, Options{RemotePictures: pics.options()})
	ui(func() {
		u.app.Preferences().SetStringList(prefAlwaysPictures, []string{"news@shop.example", "other@example.org"})
	})
	storeAndOpen(t, u, "From: News <news@shop.example>\r\nSubject: s\r\nContent-Type: text/html\r\n\r\n"+
		`<p>News</p><img src="`+pics.URL+`/a.png" alt="A">`+"\r\n")
	eventually(t, "the bar offers to stop", func() bool { return button(w, "Stop loading for this sender") != nil })
	ui(u.showSettings)
	for _, sender := range []string{"news@shop.example", "other@example.org"} {
		eventually(t, sender+" listed", func() bool { return removeButton(w, sender) != nil })
	}
	ui(func() {
		if shownLabel(w, "No sender yet") {
			t.Error("says no sender beside a list of two")
		}
		test.Tap(removeButton(w, "news@shop.example"))
	})
	if got := u.alwaysSenders(); strings.Join(got, " ") != "other@example.org" {
		t.Errorf("kept %v", got)
	}
	ui(func() {
		if removeButton(w, "news@shop.example") != nil {
			t.Error("the removed sender is still listed")
		}
		if button(w, "Always for this sender") == nil {
			t.Error("the open message's bar does not offer Always again")
		}
		test.Tap(removeButton(w, "other@example.org"))
	})
	if got := u.alwaysSenders(); len(got) != 0 {
		t.Errorf("kept %v", got)
	}
	eventually(t, "the empty list's sentence", func() bool { return shownLabel(w, "No sender yet") })
}

// removeButton is the Remove button in the row of Settings' list that
// names sender, or nil. Call it on the UI goroutine.
func removeButton(w fyne.Window, sender string) *widget.Button {
	var found *widget.Button
	walkShown(w.Canvas().Overlays().List(), func(o fyne.CanvasObject) {
		c, ok := o.(*fyne.Container)
		if !ok {
			return
		}
		var named bool
		var remove *widget.Button
		for _, o := range c.Objects {
			if l, ok := o.(*widget.Label); ok && l.Text == sender {
				named = true
			}
			if b, ok := unwrap(o).(*widget.Button); ok && b.Text == "Remove" {
				remove = b
			}
		}
		if named && remove != nil {
			found = remove
		}
	})
	return found
}
