package ui

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/internal/motw"
)

// previewSize is the side of an attached picture's preview.
const previewSize = 48

// showAttachments lists the attachments: each with its icon (a preview
// for a picture), name and size, Open (or Save only, for what popvault
// does not open: see mayOpen) and Save; Save all where there are several.
// A picture too large to show says so.
func (r *reader) showAttachments(v *archive.View) {
	r.attachments.Objects = nil
	listed := r.listedAttachments(v)
	for _, a := range listed {
		a := a
		var icon fyne.CanvasObject = widget.NewIcon(attachmentIcon(a.ContentType))
		if img := r.pics[fmt.Sprintf("#%d", a.Index)]; img != nil {
			c := canvas.NewImageFromImage(img)
			c.FillMode = canvas.ImageFillContain
			c.SetMinSize(fyne.NewSize(previewSize, previewSize))
			icon = c
		}
		label := fmt.Sprintf("%s (%s)", a.Name, humanSize(a.Size))
		if why := r.unshown[a.Index]; why != "" {
			label += " · " + why
		}
		name := widget.NewLabel(label)
		name.Truncation = fyne.TextTruncateEllipsis
		open := widget.NewButton("Open", func() { r.openAttachment(a) })
		if ok, _ := mayOpen(a); !ok {
			open = widget.NewButtonWithIcon("Save only", theme.InfoIcon(), func() { r.openAttachment(a) })
			open.Importance = widget.LowImportance
		}
		buttons := container.NewHBox(open, widget.NewButtonWithIcon("", theme.DocumentSaveIcon(), func() { r.saveAttachment(a) }))
		r.attachments.Add(newAttachmentRow(r, a, container.NewBorder(nil, nil, icon, buttons, name)))
	}
	if len(listed) > 1 {
		r.attachments.Add(container.NewHBox(widget.NewButtonWithIcon("Save all…", theme.FolderOpenIcon(), r.saveAll)))
	}
	r.attachments.Refresh()
}

// listedAttachments are v's attachments the reader lists: a picture the
// body shows, that has no name of its own, is part of the body, not an
// attachment.
func (r *reader) listedAttachments(v *archive.View) []archive.Attachment {
	shown := map[string]bool{}
	if r.doc != nil {
		for _, b := range r.doc.Blocks {
			if b.Img != nil && strings.HasPrefix(strings.ToLower(b.Img.Src), "cid:") && r.pics[b.Img.Src[4:]] != nil {
				shown[b.Img.Src[4:]] = true
			}
		}
	}
	var out []archive.Attachment
	for _, a := range v.Attachments {
		if a.ContentID != "" && shown[a.ContentID] && strings.HasPrefix(a.Name, "attachment-") {
			continue
		}
		out = append(out, a)
	}
	return out
}

func attachmentIcon(ctype string) fyne.Resource {
	switch {
	case strings.HasPrefix(ctype, "image/"):
		return theme.FileImageIcon()
	case strings.HasPrefix(ctype, "audio/"):
		return theme.FileAudioIcon()
	case strings.HasPrefix(ctype, "video/"):
		return theme.FileVideoIcon()
	case strings.HasPrefix(ctype, "text/"):
		return theme.FileTextIcon()
	case strings.Contains(ctype, "zip") || strings.Contains(ctype, "compressed"):
		return theme.FileApplicationIcon()
	}
	return theme.FileIcon()
}

// openAttachment opens an attachment with the system's program for its
// kind, from a copy only this user can read (removed when the window
// closes), marked as come from the Internet. What popvault does not open
// (see mayOpen) it offers to save, saying why.
func (r *reader) openAttachment(a archive.Attachment) {
	if ok, why := mayOpen(a); !ok {
		d := r.u.ask("Save only", why+" Save it, and open it yourself only if you trust who sent it.", "Save…", "Cancel", func(save bool) {
			if save {
				r.saveAttachment(a)
			}
		})
		r.u.showDialog(d, nil)
		return
	}
	id := r.view.ID
	r.u.background(func() func() {
		path, err := r.u.privateCopy(id, a)
		return func() {
			if err != nil {
				r.u.showError("Opening the attachment failed", err)
				return
			}
			r.u.handOff(toOpener, fileURL(path))
		}
	})
}

// fileURL is the file: address of a local path: file:///home/ann/a.pdf,
// or on Windows file:///C:/Users/ann/a.pdf (a URL's path has forward
// slashes, and a drive letter after one of its own).
func fileURL(path string) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}

// privateCopy writes an attachment into the private folder, 0600, under
// its bare name in a folder of its own (two attachments may share a name).
func (u *UI) privateCopy(id uint64, a archive.Attachment) (string, error) {
	_, data, err := u.arch.Attachment(id, a.Index)
	if err != nil && !errors.Is(err, archive.ErrDamaged) {
		return "", err
	}
	dir, err := u.privateDir()
	if err != nil {
		return "", err
	}
	sub := filepath.Join(dir, fmt.Sprintf("%d-%d", id, a.Index))
	if err := os.MkdirAll(sub, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(sub, a.Name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", err
	}
	// Opened without the mark, a document would skip Office's Protected
	// View and SmartScreen: it is not opened at all.
	return path, motw.Mark(path)
}

// saveAll asks for a folder and saves every attachment there, under
// names that overwrite nothing.
func (r *reader) saveAll() {
	if r.view == nil {
		return
	}
	v := r.view
	dialog.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		r.u.background(func() func() {
			n, err := r.u.saveAllTo(v, dir.Path())
			return func() {
				switch {
				case err == nil:
					r.u.setStatus(fmt.Sprintf("Saved %d attachments in %s", n, dir.Path()))
				case n == len(v.Attachments): // damaged, or not marked
					r.u.showError(fmt.Sprintf("Saved %d attachments in %s, with a warning", n, dir.Path()), err)
				default:
					r.u.showError("Saving the attachments failed", err)
				}
			}
		})
	}, r.u.win)
}

// saveAllTo writes v's attachments into dir, each a new file (see
// writeNew), a name taken already getting " (2)" and so on. A damaged one
// is saved as far as it decodes, and the error says which; so is one
// that could not be marked as from the Internet (errNotMarked).
func (u *UI) saveAllTo(v *archive.View, dir string) (int, error) {
	var damaged []string
	var unmarked error
	n := 0
	for _, a := range v.Attachments {
		_, data, err := u.arch.Attachment(v.ID, a.Index)
		if errors.Is(err, archive.ErrDamaged) {
			damaged = append(damaged, a.Name)
		} else if err != nil {
			return n, err
		}
		write := func(w io.WriteCloser) error {
			_, err := w.Write(data)
			return errors.Join(err, w.Close())
		}
		for i := 1; ; i++ {
			err = writeNew(filepath.Join(dir, numbered(a.Name, i)), write)
			if !errors.Is(err, fs.ErrExist) {
				break
			}
		}
		if errors.Is(err, errNotMarked) {
			unmarked, err = err, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
	if len(damaged) > 0 {
		return n, errors.Join(fmt.Errorf("%w: %s saved only as far as it could be decoded", archive.ErrDamaged, strings.Join(damaged, ", ")), unmarked)
	}
	return n, unmarked
}

// numbered is name for i = 1, else "name (i).ext".
func numbered(name string, i int) string {
	if i == 1 {
		return name
	}
	ext := filepath.Ext(name)
	return fmt.Sprintf("%s (%d)%s", strings.TrimSuffix(name, ext), i, ext)
}
