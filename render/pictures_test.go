package render

import (
	"slices"
	"strings"
	"testing"
)

// TestRemotePictures: the document lists the pictures on the web it
// shows, each once; tracking pixels and hidden pictures are not among
// them.
func TestRemotePictures(t *testing.T) {
	d := HTML(`<p><img src="https://cdn.example/hero.jpg" alt="Spring"> <img src="https://cdn.example/hero.jpg">
<img src="//cdn.example/rel.png" alt="x"><img src="http://plain.example/p.gif" width="300">
<img src="https://t.example/open.gif" width="1" height="1"><img src="https://t.example/o2.gif" style="width:2px;height:2px">
<img src="https://t.example/o3.gif" height="0"><img src="https://t.example/o4.gif" width="1px">
<img src="https://t.example/o5.gif" style="display:none"><span style="display:none"><img src="https://t.example/o6.gif"></span>
<img src="cid:logo@x" alt="Logo"><img src="data:image/png;base64,AAAA"></p>`)
	want := []string{"https://cdn.example/hero.jpg", "https://cdn.example/rel.png", "http://plain.example/p.gif"}
	if !slices.Equal(d.Remote, want) {
		t.Errorf("remote %q, want %q", d.Remote, want)
	}
}

// TestPicturesInText: a picture on the web that is not loaded takes no
// line of its own: it is its alt text, in italics, apart from the words
// beside it, or nothing where the alt text says nothing. Loaded, and as
// the message's own (cid:), it has a line of its own.
func TestPicturesInText(t *testing.T) {
	src := `<p>Hello<img src="https://x.example/wave.png" alt="(waving hand)">there</p>` +
		`<p><img src="https://x.example/banner.png" alt="Spring sale"></p>` +
		`<p><img src="https://x.example/spacer.png"><img src="https://x.example/b.png" alt="image.png"></p>` +
		`<p><a href="https://t.example/"><img src="https://x.example/t.png" alt="Twitter"></a><a href="https://f.example/"><img src="https://x.example/f.png" alt="Facebook"></a></p>` +
		`<p><img src="cid:logo@x" alt="Logo"></p><p>end</p>`
	d := HTML(src)
	got := drawAll(Layout(d, 80))
	want := "Hello (waving hand) there\n\nSpring sale\n\nTwitter Facebook\n\n[picture: Logo]\n\nend"
	if got != want {
		t.Errorf("not loaded: got\n%s\nwant\n%s", got, want)
	}
	for _, l := range Layout(d, 80) {
		for _, s := range l.Segs {
			switch strings.TrimSpace(s.Text) {
			case "(waving hand)", "Spring sale":
				if s.Style != Italic {
					t.Errorf("%q in style %b", s.Text, s.Style)
				}
			case "Twitter":
				if s.Link != "https://t.example/" {
					t.Errorf("the picture's link is lost: %+v", s)
				}
			}
		}
	}
	loaded, _ := LayoutWith(t.Context(), d, 80, Options{Loaded: func(src string) bool { return true }})
	var pics []string
	for _, l := range loaded {
		if l.Img != nil {
			pics = append(pics, l.Img.Src)
			if l.Kind != Image {
				t.Errorf("a picture's line is of kind %d", l.Kind)
			}
		}
	}
	wantPics := []string{"https://x.example/wave.png", "https://x.example/banner.png", "https://x.example/spacer.png",
		"https://x.example/b.png", "https://x.example/t.png", "https://x.example/f.png", "cid:logo@x"}
	if !slices.Equal(pics, wantPics) {
		t.Errorf("loaded: pictures on lines %q, want %q\n%s", pics, wantPics, drawAll(loaded))
	}
	if text := drawAll(loaded); !strings.HasPrefix(text, "Hello\n[picture: (waving hand)]\nthere") {
		t.Errorf("loaded, the picture does not stand between the words:\n%s", text)
	}
}
