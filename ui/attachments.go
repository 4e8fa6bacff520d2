package ui

import (
	"errors"
	"fmt"
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
)

// previewSize is the side of an attached picture's preview.
const previewSize = 48

// showAttachments lists the attachments: each with its icon (a preview
// for a picture), name and size, Open and Save; Save all where there are
// several. A picture too large to show says so.
func (r *reader) showAttachments(v *archive.View) {
	r.attachments.Objects = nil
	// A picture the body shows, that has no name of its own, is part of
	// the body, not an attachment.
	shown := map[string]bool{}
	if r.doc != nil {
		for _, b := range r.doc.Blocks {
			if b.Img != nil && strings.HasPrefix(strings.ToLower(b.Img.Src), "cid:") && r.pics[b.Img.Src[4:]] != nil {
				shown[b.Img.Src[4:]] = true
			}
		}
	}
	listed := 0
	for _, a := range v.Attachments {
		a := a
		if a.ContentID != "" && shown[a.ContentID] && strings.HasPrefix(a.Name, "attachment-") {
			continue
		}
		listed++
		var icon fyne.CanvasObject = widget.NewIcon(attachmentIcon(a.ContentType))
		if img := r.pics[fmt.Sprintf("#%d", a.Index)]; img != nil {
			c := canvas.NewImageFromImage(img)
			c.FillMode = canvas.ImageFillContain
			c.SetMinSize(fyne.NewSize(previewSize, previewSize))
			icon = c
		}
		label := fmt.Sprintf("%s (%s)", a.Name, humanSize(a.Size))
		if r.unshown[a.Index] {
			label += " · too large to show here"
		}
		name := widget.NewLabel(label)
		name.Truncation = fyne.TextTruncateEllipsis
		buttons := container.NewHBox(
			widget.NewButton("Open", func() { r.openAttachment(a) }),
			widget.NewButtonWithIcon("", theme.DocumentSaveIcon(), func() { r.saveAttachment(a) }),
		)
		r.attachments.Add(container.NewBorder(nil, nil, icon, buttons, name))
	}
	if listed > 1 {
		r.attachments.Add(container.NewHBox(widget.NewButtonWithIcon("Save all…", theme.FolderOpenIcon(), r.saveAll)))
	}
	r.attachments.Refresh()
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

// runnable are file types that a double-click would run rather than
// show: popvault does not open those, it offers to save them.
var runnable = map[string]bool{
	".desktop": true, ".exe": true, ".bat": true, ".cmd": true, ".com": true, ".scr": true, ".ps1": true, ".vbs": true,
	".vbe": true, ".js": true, ".jse": true, ".wsf": true, ".jar": true, ".sh": true, ".run": true, ".appimage": true,
	".msi": true, ".lnk": true, ".hta": true, ".py": true, ".pl": true, ".cpl": true, ".reg": true, ".bin": true, ".deb": true, ".rpm": true,
}

// openAttachment opens an attachment with the system's program for its
// type, from a copy only this user can read (removed when the window
// closes). Programs and scripts are never opened, only saved.
func (r *reader) openAttachment(a archive.Attachment) {
	if runnable[strings.ToLower(filepath.Ext(a.Name))] {
		dialog.ShowInformation("Not opened", a.Name+" is a program or a script: popvault does not run what mail carries. Save it, if you trust it, and decide there.", r.u.win)
		return
	}
	id := r.view.ID
	r.u.background(func() func() {
		path, err := r.u.privateCopy(id, a)
		return func() {
			if err == nil {
				err = r.u.openURL(fileURL(path))
			}
			if err != nil {
				r.u.showError("Opening the attachment failed", err)
			}
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
	return path, os.WriteFile(path, data, 0o600)
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
				if err != nil {
					r.u.showError("Saving the attachments failed", err)
					return
				}
				r.u.setStatus(fmt.Sprintf("Saved %d attachments in %s", n, dir.Path()))
			}
		})
	}, r.u.win)
}

// saveAllTo writes v's attachments into dir, each 0600, a name taken
// already getting " (2)" and so on. A damaged one is saved as far as it
// decodes, and the error says which.
func (u *UI) saveAllTo(v *archive.View, dir string) (int, error) {
	var damaged []string
	n := 0
	for _, a := range v.Attachments {
		_, data, err := u.arch.Attachment(v.ID, a.Index)
		if errors.Is(err, archive.ErrDamaged) {
			damaged = append(damaged, a.Name)
		} else if err != nil {
			return n, err
		}
		path := freeName(dir, a.Name)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return n, err
		}
		_, werr := f.Write(data)
		if err := errors.Join(werr, f.Close()); err != nil {
			return n, err
		}
		n++
	}
	if len(damaged) > 0 {
		return n, fmt.Errorf("%w: %s saved only as far as it could be decoded", archive.ErrDamaged, strings.Join(damaged, ", "))
	}
	return n, nil
}

// freeName is name in dir, or "name (2).ext" and so on where it is taken.
func freeName(dir, name string) string {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	path := filepath.Join(dir, name)
	for i := 2; ; i++ {
		if _, err := os.Lstat(path); os.IsNotExist(err) {
			return path
		}
		path = filepath.Join(dir, fmt.Sprintf("%s (%d)%s", base, i, ext))
	}
}
