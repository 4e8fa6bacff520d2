package ui

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	pngenc "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/fetch/pop3test"
)

func pngBytes(t *testing.T, w, h int) []byte {
	var b bytes.Buffer
	if err := pngenc.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bomb is a small PNG whose header claims 100,000 by 100,000 pixels.
func bomb(t *testing.T) []byte {
	b := pngBytes(t, 1, 1)
	ihdr := b[8:33] // length, "IHDR", 13 bytes of data, CRC
	binary.BigEndian.PutUint32(ihdr[8:], 100000)
	binary.BigEndian.PutUint32(ihdr[12:], 100000)
	binary.BigEndian.PutUint32(ihdr[21:], crc32.ChecksumIEEE(ihdr[4:21]))
	return b
}

// TestDecodePicture: a picture is decoded scaled down to the size it is
// shown at, its pixels spent from the message's budget; a bomb, or a
// picture past what the budget has left, is refused from its header.
func TestDecodePicture(t *testing.T) {
	box := image.Pt(100, 50)
	for name, c := range map[string]struct {
		data       []byte
		budget     int
		want       image.Point // the decoded picture's size
		err        error
		budgetLeft int
	}{
		"small, as it is":        {pngBytes(t, 30, 20), 1000, image.Pt(30, 20), nil, 400},
		"large, fitted":          {pngBytes(t, 400, 100), 1_000_000, image.Pt(100, 25), nil, 960_000},
		"tall, fitted":           {pngBytes(t, 100, 400), 1_000_000, image.Pt(13, 50), nil, 960_000},
		"the budget exactly":     {pngBytes(t, 30, 20), 600, image.Pt(30, 20), nil, 0},
		"past the budget":        {pngBytes(t, 30, 20), 599, image.Point{}, errOverBudget, 599},
		"a bomb":                 {bomb(t), 1 << 40, image.Point{}, errTooBig, 1 << 40},
		"16 bits, fitted":        {png16(640, 480), 1_000_000, image.Pt(67, 50), nil, 1_000_000 - 640*480},
		"not a picture":          {[]byte("not a picture"), 1000, image.Point{}, image.ErrFormat, 1000},
		"over the encoded limit": {make([]byte, maxPictureBytes+1), 1 << 40, image.Point{}, errTooBig, 1 << 40},
	} {
		t.Run(name, func(t *testing.T) {
			budget := c.budget
			img, err := decodePicture(c.data, box, &budget)
			if !errors.Is(err, c.err) {
				t.Fatalf("error %v, want %v", err, c.err)
			}
			if err == nil && img.Bounds().Size() != c.want {
				t.Errorf("decoded at %v, want %v", img.Bounds().Size(), c.want)
			}
			if budget != c.budgetLeft {
				t.Errorf("%d pixels left of the budget, want %d", budget, c.budgetLeft)
			}
		})
	}
}

func TestAttachments(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	var opened []string
	u, w := newTestUIWith(t, s, Options{OpenURL: func(a string) error { opened = append(opened, a); return nil }})
	part := func(headers, body string) string { return "--b\r\n" + headers + "\r\n\r\n" + body + "\r\n" }
	raw := "From: a@example.org\r\nSubject: files\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		part("Content-Type: text/html", `<p>Look:</p><img src="cid:pic@x" alt="the picture"><img src="cid:bomb@x" alt="a bomb">`) +
		part("Content-Type: image/png\r\nContent-ID: <pic@x>\r\nContent-Transfer-Encoding: base64", base64.StdEncoding.EncodeToString(pngBytes(t, 200, 100))) +
		part("Content-Type: image/png\r\nContent-ID: <bomb@x>\r\nContent-Transfer-Encoding: base64", base64.StdEncoding.EncodeToString(bomb(t))) +
		part(`Content-Type: text/plain; name="notes.txt"`+"\r\nContent-Disposition: attachment; filename=\"notes.txt\"", "first") +
		part(`Content-Type: text/plain; name="notes.txt"`+"\r\nContent-Disposition: attachment; filename=\"notes.txt\"", "second") +
		part(`Content-Type: application/x-sh; name="run.sh"`, "rm -rf ~") + "--b--\r\n"
	st, err := u.arch.Store([]archive.Incoming{{Account: "a", UID: "1", Raw: []byte(raw)}})
	if err != nil {
		t.Fatal(err)
	}
	ui(func() { u.reader.open(st[0].ID, false) })
	eventually(t, "the message open", func() bool { return u.reader.view != nil && len(u.reader.view.Attachments) == 5 })

	// The cid: picture is drawn in the body, as large as it is; the bomb
	// stays a placeholder.
	var tall, placeholders int
	ui(func() {
		for _, id := range u.reader.tall {
			if size, _ := u.reader.pictureSize(u.reader.lines[id]); size.Width == 200 && size.Height == 100 {
				tall++
			}
		}
		for _, l := range u.reader.texts {
			if strings.Contains(l, "[picture: a bomb]") {
				placeholders++
			}
		}
	})
	var rows int
	ui(func() { rows = len(u.reader.attachments.Objects) })
	if rows != 5 { // the bomb, two notes.txt, run.sh, Save all: the picture shown is not listed
		t.Errorf("%d rows of attachments", rows)
	}
	if tall != 1 || placeholders != 1 {
		t.Errorf("%d pictures shown at their size, %d placeholders for the bomb", tall, placeholders)
	}

	// Open: a private copy, handed to the system; a script is not opened.
	var v *archive.View
	ui(func() { v = u.reader.view })
	byName := map[string]archive.Attachment{}
	for _, a := range v.Attachments {
		if _, ok := byName[a.Name]; !ok {
			byName[a.Name] = a
		}
	}
	var saveOnly *widget.Button
	ui(func() { saveOnly = button(w, "Save only") })
	if saveOnly == nil {
		t.Error("run.sh is not marked save only")
	}
	ui(func() { u.reader.openAttachment(byName["run.sh"]) })
	tap(t, w, "Cancel") // the dialog saying why it is saved only
	ui(func() { u.reader.openAttachment(byName["notes.txt"]) })
	eventually(t, "the attachment opened", func() bool { return len(opened) == 1 })
	path := localPath(t, opened[0])
	if b, err := os.ReadFile(path); err != nil || string(b) != "first" || filepath.Base(path) != "notes.txt" {
		t.Errorf("opened %s: %q %v", path, b, err)
	}
	if fi, err := os.Stat(path); err != nil || modesKept && fi.Mode().Perm() != 0o600 {
		t.Errorf("the copy's mode: %v %v", fi.Mode(), err)
	}
	markedAsFromInternet(t, path)

	// Save all: every attachment, none overwriting another or what was there.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "run.sh"), []byte("mine"), 0o600)
	n, err := u.saveAllTo(v, dir)
	if err != nil || n != 5 {
		t.Fatalf("saved %d: %v", n, err)
	}
	for name, want := range map[string]string{"notes.txt": "first", "notes (2).txt": "second", "run.sh": "mine", "run (2).sh": "rm -rf ~"} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(b) != want {
			t.Errorf("%s: %q %v", name, b, err)
		}
		if name != "run.sh" {
			markedAsFromInternet(t, filepath.Join(dir, name))
		}
	}
}
