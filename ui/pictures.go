package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // pictures mail carries
	_ "image/jpeg"
	_ "image/png"
	"runtime"
	"strings"

	"golang.org/x/image/draw"

	"popvault/archive"
	"popvault/render"
)

// Limits on the pictures decoded for showing. Per picture, a
// decompression bomb is refused from its header, before it is decoded.
// Per message, the pixels decoded are counted: twenty pictures each
// within the limits would still take gigabytes together (a 108 KB
// 16-bit PNG of 4096×4096 decodes to 128 MiB). Each picture is decoded
// alone, scaled down at once to the size it is shown at, and the full
// size dropped before the next: a message costs about one picture at
// its full size, however many it holds.
const (
	maxPictureBytes  = 8 << 20     // a picture's encoded size
	maxPicturePixels = 4096 * 4096 // a picture's width × height
	maxPictures      = 20          // decoded for one message
	// maxMessagePixels is the decoding a message may ask for: four of the
	// largest pictures, or five photos of 12 megapixels. It bounds the
	// time opening a message takes; what is past it is listed, not shown.
	maxMessagePixels = 4 * maxPicturePixels
)

var (
	// errTooBig: a picture over the per-picture limits.
	errTooBig = errors.New("the picture is too large to show")
	// errOverBudget: a picture past what the message may decode.
	errOverBudget = errors.New("the message's pictures are too large to show together")
)

// pictureLimits are what decoding one message's pictures may take, and
// the sizes they are shown at (in pixels, the screen's scale included).
type pictureLimits struct {
	Pixels  int         // the message's budget: width × height, summed
	Body    image.Point // the largest a picture in the body is shown
	Preview image.Point // the largest an attachment's preview is shown
}

// decodePicture decodes a picture scaled down to fit box, spending its
// pixels from *budget. Its header is read first: a picture over the
// per-picture limits (errTooBig) or the budget left (errOverBudget) is
// not decoded at all.
func decodePicture(data []byte, box image.Point, budget *int) (image.Image, error) {
	if len(data) > maxPictureBytes {
		return nil, errTooBig
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	pixels := int64(cfg.Width) * int64(cfg.Height) // no overflow where int has 32 bits
	if cfg.Width <= 0 || cfg.Height <= 0 || pixels > maxPicturePixels {
		return nil, errTooBig
	}
	if pixels > int64(*budget) {
		return nil, errOverBudget
	}
	*budget -= int(pixels)
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	small := fit(img, box)
	if pixels >= largePicture {
		// The full-size picture is garbage now, but Go collects it only
		// when the heap has grown to twice what was live at the last
		// collection, which may have counted it: the next pictures would
		// pile up behind it (four 128 MiB pictures made a 520 MiB peak,
		// against 250 MiB collected here; BenchmarkOpenPictures).
		runtime.GC()
	}
	return small, nil
}

// largePicture is a picture large enough to collect after: 4 megapixels,
// 16 MiB decoded at 4 bytes a pixel.
const largePicture = 4 << 20

// fit scales img down to fit box, keeping its proportions, into a new
// picture that holds only that: the full-size one can then be dropped.
// A picture that fits is returned as it is. Bilinear filtering (not the
// nearest pixel) keeps the lines of a scan and the text of a screenshot
// readable when shrunk several times.
func fit(img image.Image, box image.Point) image.Image {
	b := img.Bounds()
	scale := min(1, float64(box.X)/float64(b.Dx()), float64(box.Y)/float64(b.Dy()))
	if scale >= 1 {
		return img
	}
	w := max(1, int(float64(b.Dx())*scale+0.5))
	h := max(1, int(float64(b.Dy())*scale+0.5))
	small := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.BiLinear.Scale(small, small.Bounds(), img, b, draw.Src, nil)
	return small
}

// messagePictures are a message's pictures decoded for showing.
type messagePictures struct {
	// byKey holds the pictures, by Content-ID for those the HTML shows
	// by cid:, and by "#index" for the attachments' previews.
	byKey map[string]image.Image
	// unshown are the pictures not decoded, by attachment index, with
	// why in a few words: they are listed, to open or save.
	unshown map[int]string
}

// pictures decodes v's pictures off the UI goroutine, within lim: those
// doc shows by cid: first, to the size the body shows them at; then the
// attached ones, to the size of a preview. It stops when ctx ends
// (another message was opened), with what it decoded so far.
func (r *reader) pictures(ctx context.Context, v *archive.View, doc *render.Doc, lim pictureLimits) messagePictures {
	out := messagePictures{byKey: map[string]image.Image{}, unshown: map[int]string{}}
	inBody := bodyPictures(doc)
	var body, attached []archive.Attachment
	for _, a := range v.Attachments {
		if !strings.HasPrefix(a.ContentType, "image/") || strings.Contains(a.ContentType, "svg") {
			continue
		}
		if a.ContentID != "" && inBody[a.ContentID] {
			body = append(body, a)
		} else {
			attached = append(attached, a)
		}
	}
	budget, decoded := lim.Pixels, 0
	for i, a := range append(body, attached...) {
		if ctx.Err() != nil {
			break
		}
		box := lim.Preview
		if i < len(body) {
			box = lim.Body
		}
		if decoded >= maxPictures {
			out.unshown[a.Index] = fmt.Sprintf("not shown: %d pictures are shown at most", maxPictures)
			continue
		}
		if a.Size > maxPictureBytes {
			out.unshown[a.Index] = "too large to show here"
			continue
		}
		_, data, err := r.u.arch.Attachment(v.ID, a.Index)
		if err != nil {
			continue
		}
		img, err := decodePicture(data, box, &budget)
		switch {
		case errors.Is(err, errTooBig):
			out.unshown[a.Index] = "too large to show here"
		case errors.Is(err, errOverBudget):
			out.unshown[a.Index] = "too large to show with the others"
		}
		if err != nil {
			continue
		}
		decoded++
		if a.ContentID != "" {
			out.byKey[a.ContentID] = img
		}
		out.byKey[fmt.Sprintf("#%d", a.Index)] = img
	}
	return out
}

// pictureLimits are the limits for the reader's pictures at its size and
// the screen's scale now. Call it on the UI goroutine.
func (r *reader) pictureLimits() pictureLimits {
	scale := float32(1)
	if c := r.u.win.Canvas(); c != nil && c.Scale() > 0 {
		scale = c.Scale()
	}
	px := func(v float32) int { return max(1, int(v*scale+0.5)) }
	return pictureLimits{
		Pixels:  maxMessagePixels,
		Body:    image.Pt(px(wrapAt*r.charWidth()), px(maxPictureHeight)),
		Preview: image.Pt(px(previewSize), px(previewSize)),
	}
}

// unshownNote is the sentence saying how many pictures are not shown, or
// "" for none.
func unshownNote(n int) string {
	switch n {
	case 0:
		return ""
	case 1:
		return "One picture is not shown: drawing it would take too much memory. Open or save it from the attachments above."
	}
	return fmt.Sprintf("%d pictures are not shown: drawing them would take too much memory or time. Open or save them from the attachments above.", n)
}

// bodyPictures are the Content-IDs of the pictures doc shows: a block's
// own, and those in its spans and its table's cells (a row of pictures
// holds each as a span, not only the first as Img).
func bodyPictures(doc *render.Doc) map[string]bool {
	ids := map[string]bool{}
	add := func(img *render.Img) {
		if img != nil && strings.HasPrefix(strings.ToLower(img.Src), "cid:") {
			ids[img.Src[4:]] = true
		}
	}
	if doc == nil {
		return ids
	}
	for _, b := range doc.Blocks {
		add(b.Img)
		for _, sp := range b.Spans {
			add(sp.Img)
		}
		for _, row := range b.Rows {
			for _, c := range row {
				for _, sp := range c.Spans {
					add(sp.Img)
				}
			}
		}
	}
	return ids
}
