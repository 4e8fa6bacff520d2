package ui

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/internal/motw"
)

// saveAs asks where to save a file, a name in a folder, then writes it
// there with write (which closes it) off the UI goroutine, and says how
// it went: a write or a close that failed, or a damaged attachment saved
// in part, is never passed over. A file already there is replaced only
// if the person says so.
//
// popvault asks with a dialog of its own, not Fyne's save dialog: Fyne's
// creates the file itself (os.Create: 0644 under the usual umask) before
// handing it over, and the file would be readable by others until made
// private, if it ever was.
func (r *reader) saveAs(name, failed string, write func(io.WriteCloser) error) {
	dir := r.saveDir
	if dir == "" {
		dir, _ = os.UserHomeDir()
	}
	entry := r.u.dialogEntry()
	entry.SetText(name)
	entry.Validator = validFileName
	folder := widget.NewLabel(dir)
	folder.Truncation = fyne.TextTruncateEllipsis
	choose := r.u.dialogButton("Choose…", func() {
		dialog.ShowFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				dir = u.Path()
				folder.SetText(dir)
			}
		}, r.u.win)
	})
	items := []*widget.FormItem{
		widget.NewFormItem("Name", entry),
		widget.NewFormItem("Folder", container.NewBorder(nil, nil, nil, choose, folder)),
	}
	// dialog.NewForm, built of dialogButtons: Save is pressed only while
	// the name is one (validFileName).
	form := widget.NewForm(items...)
	d := dialog.NewCustomWithoutButtons("Save", form, r.u.win)
	cancel := r.u.dialogButton("Cancel", d.Hide)
	cancel.Icon = theme.CancelIcon()
	save := r.u.dialogButton("Save", func() {
		d.Hide()
		r.saveDir = dir
		r.saveTo(filepath.Join(dir, entry.Text), failed, write)
	})
	save.Icon, save.Importance = theme.ConfirmIcon(), widget.HighImportance
	valid := func(err error) {
		if err != nil {
			save.Disable()
		} else {
			save.Enable()
		}
	}
	valid(form.Validate())
	form.SetOnValidationChanged(valid)
	d.SetButtons([]fyne.CanvasObject{cancel, save})
	d.Resize(fyne.NewSize(560, d.MinSize().Height))
	r.u.showDialog(d, nil)
}

// saveTo writes a new file at path (see writeNew), asking before it
// replaces one that is there.
func (r *reader) saveTo(path, failed string, write func(io.WriteCloser) error) {
	name := filepath.Base(path)
	done := func(err error) {
		switch {
		case errors.Is(err, archive.ErrDamaged):
			r.u.showError("Saved "+name+", but not all of it", err)
		case errors.Is(err, errNotMarked):
			r.u.showError("Saved "+name+", with a warning", err)
		case err != nil:
			r.u.showError(failed, err)
		default:
			r.u.setStatus("Saved " + name)
		}
	}
	r.u.background(func() func() {
		err := writeNew(path, write)
		if !errors.Is(err, fs.ErrExist) {
			return func() { done(err) }
		}
		return func() {
			ask := r.u.ask("Replace "+name+"?", "A file named "+name+" is already in that folder. Replace it with this one?", "Replace", "Cancel", func(ok bool) {
				if ok {
					r.u.background(func() func() {
						err := replaceFile(path, write)
						return func() { done(err) }
					})
				}
			})
			r.u.showDialog(ask, nil)
		}
	})
}

// validFileName accepts a file name that every system can use as it is.
func validFileName(name string) error {
	switch safe := archive.SafeFileName(name, ""); {
	case strings.TrimSpace(name) == "":
		return errors.New("a name is needed")
	case strings.ContainsAny(name, `/\`):
		return errors.New("a name only: choose the folder below")
	case safe != name:
		return fmt.Errorf("not a name every system can use; %q can be", safe)
	}
	return nil
}

// writeNew makes a new file at path and fills it with write, which
// closes it. The file is made readable and writable by its owner only
// from its creation, never made private after (other users could open
// it in between), and O_EXCL refuses anything already at path: a file,
// or a link planted there to point elsewhere (fs.ErrExist). A write that
// fails leaves nothing behind, except a damaged attachment saved as far
// as it decodes (archive.ErrDamaged), which is kept. The file is marked
// as come from the Internet (motw).
func writeNew(path string, write func(io.WriteCloser) error) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	return finish(path, path, write(f))
}

// replaceFile writes path anew over what is there: into a new private
// file beside it (os.CreateTemp makes it 0600, with O_EXCL), renamed
// over the old one once complete, so that the name never holds a file
// half written or readable by others.
func replaceFile(path string, write func(io.WriteCloser) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".popvault-save-*")
	if err != nil {
		return err
	}
	return finish(f.Name(), path, write(f))
}

// finish ends a save written at tmp with werr, the write's error: puts
// the file at path and marks it there (a mark made before a rename would
// stay behind under Wine, which keeps streams as files of their own); on
// failure, removes it.
func finish(tmp, path string, werr error) error {
	if werr != nil && !errors.Is(werr, archive.ErrDamaged) {
		os.Remove(tmp)
		return werr
	}
	if tmp != path {
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			// Windows refuses to replace a file another program has open.
			return fmt.Errorf("%s could not be replaced: if a program has it open, close it, or save under another name (%w)", filepath.Base(path), err)
		}
	}
	if err := motw.Mark(path); err != nil {
		return errors.Join(werr, fmt.Errorf("%w (%w)", errNotMarked, err))
	}
	return werr
}

// errNotMarked: a file saved without the system's mark of the Internet,
// as on a drive whose file system cannot hold it (FAT on Windows).
var errNotMarked = errors.New("the file could not be marked as come from the Internet, so the system will not warn before opening it; keep it in your user folder to have the mark")
