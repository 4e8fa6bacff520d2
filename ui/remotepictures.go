package ui

import (
	"context"
	"fmt"
	"image"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"popvault/render"
	"popvault/render/remoteimg"
)

// Pictures on the web: a message that shows some gets one line, "12
// pictures on the web not loaded", and two choices: load them for this
// message, or always for its sender. Both are the person's: nothing is
// fetched before (loading tells the sender the message was opened), and
// "always" is off for every sender until chosen, kept in the app's
// preferences. Loading is render/remoteimg's: HTTPS only, no cookies or
// referrer, never the local network, within limits; a tracking pixel is
// not in the list to load (render leaves it out of Doc.Remote).

// prefAlwaysPictures is the preference that lists the senders whose
// pictures load without asking.
const prefAlwaysPictures = "pictures.always"

// remoteBar is the line above the body about the message's pictures on
// the web.
type remoteBar struct {
	content *fyne.Container
	label   *widget.Label
	load    *widget.Button
	always  *widget.Button
}

func newRemoteBar(r *reader) *remoteBar {
	b := &remoteBar{label: widget.NewLabel("")}
	b.load = widget.NewButtonWithIcon("Load for this message", theme.DownloadIcon(), func() { r.loadRemote() })
	b.always = widget.NewButton("Always for this sender", r.alwaysLoadSender)
	b.load.Importance, b.always.Importance = widget.LowImportance, widget.LowImportance
	// The sentence wraps rather than hold the reader wider than its
	// buttons: the reader must narrow with the window.
	b.label.Wrapping = fyne.TextWrapWord
	b.content = container.NewBorder(nil, nil, widget.NewIcon(theme.MediaPhotoIcon()), container.NewHBox(b.load, b.always), b.label)
	b.content.Hide()
	return b
}

// show sets the bar for a message with n pictures on the web, of which
// loaded are loaded and failed could not be.
func (b *remoteBar) show(n, loaded, failed int, loading bool) {
	if n == 0 {
		b.content.Hide()
		return
	}
	switch {
	case loading:
		b.label.SetText(fmt.Sprintf("Loading %s on the web…", pictures(n)))
	case loaded == 0 && failed == 0:
		b.label.SetText(fmt.Sprintf("%s on the web not loaded", capitalize(pictures(n))))
	case loaded == 0:
		b.label.SetText(fmt.Sprintf("%s on the web could not be loaded: no connection, or the server refused", capitalize(pictures(n))))
	case failed > 0:
		b.label.SetText(fmt.Sprintf("%s on the web: %d loaded, %d could not be", capitalize(pictures(n)), loaded, failed))
	default:
		b.label.SetText(fmt.Sprintf("%s on the web loaded", capitalize(pictures(n))))
	}
	b.load.SetText("Load for this message")
	if failed > 0 {
		b.load.SetText("Try again")
	}
	b.load.Hidden = loading || loaded > 0 && failed == 0
	b.content.Show()
	b.content.Refresh()
}

func pictures(n int) string {
	if n == 1 {
		return "one picture"
	}
	return fmt.Sprintf("%d pictures", n)
}

// alwaysSenders are the senders whose pictures load without asking.
func (u *UI) alwaysSenders() []string {
	return u.app.Preferences().StringList(prefAlwaysPictures)
}

// alwaysLoadSender keeps the open message's sender among those whose
// pictures load without asking, and loads this message's.
func (r *reader) alwaysLoadSender() {
	if r.view == nil {
		return
	}
	key, ok := remoteimg.Sender(r.view.From)
	if !ok {
		r.u.setStatus("This message names no single sender to remember: its pictures are loaded this once")
		r.loadRemote()
		return
	}
	always := r.u.alwaysSenders()
	if !slices.Contains(always, key) {
		r.u.app.Preferences().SetStringList(prefAlwaysPictures, append(always, key))
	}
	r.u.setStatus("Pictures from " + key + " load by themselves from now on")
	r.remoteBar.setAlways(r, true)
	if len(r.remote) == 0 {
		r.loadRemote()
	}
}

// stopLoadingSender drops the open message's sender from those whose
// pictures load without asking.
func (r *reader) stopLoadingSender() {
	if r.view == nil {
		return
	}
	key, _ := remoteimg.Sender(r.view.From)
	r.u.stopLoading(key)
	r.u.setStatus("Pictures from " + key + " wait to be asked for again")
	r.remoteBar.setAlways(r, false)
}

// setAlways shows the choice that fits: to always load the sender's
// pictures, or to stop.
func (b *remoteBar) setAlways(r *reader, always bool) {
	if always {
		b.always.SetText("Stop loading for this sender")
		b.always.OnTapped = r.stopLoadingSender
	} else {
		b.always.SetText("Always for this sender")
		b.always.OnTapped = r.alwaysLoadSender
	}
}

// loader is the window's loader of pictures on the web, made on first use.
func (u *UI) loader() *remoteimg.Loader {
	if u.pictureLoader == nil {
		u.pictureLoader = remoteimg.New(u.opts.RemotePictures)
	}
	return u.pictureLoader
}

// loadRemote fetches the open message's pictures on the web, off the UI
// goroutine under the message's context (opening another stops it), and
// lays the body out again with them.
func (r *reader) loadRemote() {
	doc, v, ctx := r.doc, r.view, r.ctx
	if doc == nil || v == nil || len(doc.Remote) == 0 || ctx == nil || r.loadingRemote {
		return
	}
	r.loadingRemote = true
	r.remoteBar.show(len(doc.Remote), 0, 0, true)
	box := r.pictureLimits().Body
	cols := r.cols
	loader := r.u.loader()
	r.u.background(func() func() {
		got := map[string]image.Image{}
		failed := 0
		for _, p := range loader.Load(ctx, doc.Remote) {
			if p.Err != nil || p.Image == nil {
				failed++
				continue
			}
			got[p.Src] = fit(p.Image, box)
		}
		lines, err := layoutWith(ctx, doc, cols, got)
		return func() {
			if ctx.Err() != nil || doc != r.doc {
				return // another message is open
			}
			r.loadingRemote = false
			if err != nil {
				return
			}
			r.remote = got
			r.sel = selection{}
			r.setLines(lines, cols)
			r.marked, _ = markLines(r.texts, r.found)
			r.body.Refresh()
			r.remoteBar.show(len(doc.Remote), len(got), failed, false)
		}
	})
}

// layoutWith lays doc out at cols with the pictures on the web in got
// drawn on lines of their own.
func layoutWith(ctx context.Context, doc *render.Doc, cols int, got map[string]image.Image) ([]render.Line, error) {
	if len(got) == 0 {
		return layoutBody(ctx, doc, cols)
	}
	return render.LayoutWith(ctx, doc, cols, render.Options{Loaded: func(src string) bool { return got[src] != nil }})
}

// remotePicture is the loaded picture on the web an image line shows, or
// nil.
func (r *reader) remotePicture(l render.Line) image.Image {
	if l.Img == nil || !l.Img.Remote {
		return nil
	}
	return r.remote[l.Img.Src]
}

// showRemote sets the bar for a message just shown, and loads its
// pictures at once where its sender is among those always loaded.
func (r *reader) showRemote(doc *render.Doc) {
	r.remote, r.loadingRemote = nil, false
	n := len(doc.Remote)
	r.remoteBar.show(n, 0, 0, false)
	auto := n > 0 && r.view != nil && remoteimg.Automatic(r.view.From, r.u.alwaysSenders())
	r.remoteBar.setAlways(r, auto)
	if auto {
		r.loadRemote()
	}
}

// picturesSection is Settings' list of the senders whose pictures on the
// web load without asking, each with a way to stop, and a sentence where
// there are none. It reads and writes the preference the reader's
// "Always for this sender" keeps.
func (u *UI) picturesSection() fyne.CanvasObject {
	list := container.NewVBox()
	var fill func()
	fill = func() {
		senders := u.alwaysSenders()
		objs := make([]fyne.CanvasObject, 0, len(senders)+1)
		if len(senders) == 0 {
			none := widget.NewLabel("No sender yet. Pictures on the web load only when you choose, message by message; " +
				"\"Always for this sender\" above a message adds its sender here.")
			none.Wrapping = fyne.TextWrapWord
			objs = append(objs, none)
		}
		for _, s := range senders {
			stop := u.dialogButton("Remove", func() { u.stopLoading(s); fill() })
			stop.Importance = widget.LowImportance
			address := widget.NewLabel(s)
			address.Truncation = fyne.TextTruncateEllipsis
			objs = append(objs, container.NewBorder(nil, nil, nil, stop, address))
		}
		list.Objects = objs
		list.Refresh()
	}
	fill()
	return container.NewVBox(
		widget.NewLabelWithStyle("Pictures on the web, always loaded from", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		list)
}

// stopLoading drops a sender from those whose pictures load without
// asking; the open message's bar offers "Always" again if it was theirs.
func (u *UI) stopLoading(sender string) {
	always := slices.DeleteFunc(u.alwaysSenders(), func(s string) bool { return strings.EqualFold(s, sender) })
	u.app.Preferences().SetStringList(prefAlwaysPictures, always)
	if r := u.reader; r.view != nil {
		if key, ok := remoteimg.Sender(r.view.From); ok && strings.EqualFold(key, sender) {
			r.remoteBar.setAlways(r, false)
		}
	}
}
