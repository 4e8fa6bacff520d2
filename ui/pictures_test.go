package ui

import (
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/fetch/pop3test"
)

// TestPictureBudget: a message's pictures are decoded within one budget
// of pixels, those its body shows first, each to the size it is shown at;
// the rest are listed as too large to show, with a sentence saying so,
// and the attachment's Open and Save.
func TestPictureBudget(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	pic := base64.StdEncoding.EncodeToString(pngBytes(t, 100, 100))
	part := func(headers, body string) string { return "--b\r\n" + headers + "\r\n\r\n" + body + "\r\n" }
	picture := func(name, cid string) string {
		h := "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=" + name
		if cid != "" {
			h += "\r\nContent-ID: <" + cid + ">"
		}
		return part(h, pic)
	}
	// The body's pictures come last in the message: they are decoded
	// first all the same.
	raw := "From: a@example.org\r\nSubject: pictures\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		part("Content-Type: text/html", `<p>Two:</p><img src="cid:a@x" alt="a"><img src="cid:b@x" alt="b">`) +
		picture("c.png", "") + picture("d.png", "") + picture("e.png", "") + picture("a.png", "a@x") + picture("b.png", "b@x") +
		part("Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=bomb.png",
			base64.StdEncoding.EncodeToString(bomb(t))) +
		"--b--\r\n"
	st, err := u.arch.Store([]archive.Incoming{{Account: "a", UID: "1", Raw: []byte(raw)}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := u.arch.View(st[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	index := map[string]int{}
	for _, a := range v.Attachments {
		index[a.Name] = a.Index
	}
	doc := bodyDoc(v)
	lim := pictureLimits{Pixels: 3 * 100 * 100, Body: image.Pt(50, 40), Preview: image.Pt(10, 10)}
	pics := u.reader.pictures(context.Background(), v, doc, lim)

	decoded := map[string]image.Point{}
	for key, img := range pics.byKey {
		decoded[key] = img.Bounds().Size()
	}
	want := map[string]image.Point{
		"a@x": image.Pt(40, 40), fmt.Sprintf("#%d", index["a.png"]): image.Pt(40, 40),
		"b@x": image.Pt(40, 40), fmt.Sprintf("#%d", index["b.png"]): image.Pt(40, 40),
		fmt.Sprintf("#%d", index["c.png"]): image.Pt(10, 10),
	}
	if fmt.Sprint(decoded) != fmt.Sprint(want) {
		t.Errorf("decoded %v, want %v", decoded, want)
	}
	var unshown []int
	for i := range pics.unshown {
		unshown = append(unshown, i)
	}
	slices.Sort(unshown)
	if wantUnshown := []int{index["d.png"], index["e.png"], index["bomb.png"]}; !slices.Equal(unshown, wantUnshown) {
		t.Errorf("not shown: %v, want %v (d, e and the bomb)", unshown, wantUnshown)
	}

	// Shown: one sentence for them, and each listed as too large.
	lines, err := layoutBody(context.Background(), doc, 80)
	if err != nil {
		t.Fatal(err)
	}
	var note string
	var rows []string
	ui(func() {
		u.reader.show(&openedMessage{v: v, doc: doc, lines: lines, cols: 80, pics: pics})
		note = u.reader.note.Text
		walkShown([]fyne.CanvasObject{u.reader.attachments}, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok {
				rows = append(rows, l.Text)
			}
		})
	})
	if !strings.Contains(note, "3 pictures are not shown") {
		t.Errorf("the note says %q", note)
	}
	said := map[string]string{}
	for _, row := range rows {
		name, why, _ := strings.Cut(row, " · ")
		said[strings.Fields(name)[0]] = why
	}
	wantSaid := map[string]string{"c.png": "", "d.png": "too large to show with the others", "e.png": "too large to show with the others",
		"a.png": "", "b.png": "", "bomb.png": "too large to show here"}
	if fmt.Sprint(said) != fmt.Sprint(wantSaid) {
		t.Errorf("the rows say %q, want %q", said, wantSaid)
	}

	// Another message opened: nothing more is decoded.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if pics := u.reader.pictures(ctx, v, doc, lim); len(pics.byKey) != 0 {
		t.Errorf("decoded %d pictures after the message was left", len(pics.byKey))
	}
}

// TestPictureCount: past maxPictures, pictures are listed, not decoded,
// however small.
func TestPictureCount(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	pic := base64.StdEncoding.EncodeToString(pngBytes(t, 2, 2))
	var raw strings.Builder
	raw.WriteString("From: a@example.org\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nMany.\r\n")
	for i := range maxPictures + 1 {
		fmt.Fprintf(&raw, "--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=p%d.png\r\n\r\n%s\r\n", i, pic)
	}
	raw.WriteString("--b--\r\n")
	st, err := u.arch.Store([]archive.Incoming{{Account: "a", UID: "1", Raw: []byte(raw.String())}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := u.arch.View(st[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	lim := pictureLimits{Pixels: maxMessagePixels, Body: image.Pt(50, 50), Preview: image.Pt(10, 10)}
	pics := u.reader.pictures(context.Background(), v, bodyDoc(v), lim)
	last := v.Attachments[len(v.Attachments)-1].Index
	if len(pics.byKey) != maxPictures || len(pics.unshown) != 1 || pics.unshown[last] == "" {
		t.Errorf("%d decoded, not shown: %v; want %d decoded, the last not shown", len(pics.byKey), pics.unshown, maxPictures)
	}
}
