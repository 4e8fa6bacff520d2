package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"

	"popvault/archive"
)

// importPaths imports files and folders, each in the format it is in
// (an mbox, a Maildir, .eml files or a folder of them), off the UI
// goroutine: what the Import menu chose, or what was dropped on the
// window. One that fails is said in words; the others are still
// imported.
func (u *UI) importPaths(paths []string) {
	if len(paths) == 0 {
		return
	}
	u.setStatus("Importing…")
	u.background(func() func() {
		var total archive.ImportReport
		var failed []string
		for _, p := range paths {
			format, err := archive.DetectFormat(p)
			if err == nil {
				var rep archive.ImportReport
				rep, err = u.arch.Import(format, p, "")
				total.Added += rep.Added
				total.Duplicates += rep.Duplicates
			}
			if err != nil {
				failed = append(failed, importFailure(p, err))
			}
		}
		return func() {
			u.reloadAccounts()
			u.setStatus(fmt.Sprintf("Imported %d messages (%d were already in the archive)", total.Added, total.Duplicates))
			if len(failed) == len(paths) {
				u.setStatus("Nothing was imported")
			}
			if len(failed) > 0 {
				u.showError("Not imported", errors.New(strings.Join(failed, "\n")))
			}
		}
	})
}

// importFailure says why a path was not imported, and what would be.
func importFailure(path string, err error) string {
	name := filepath.Base(path)
	switch {
	case errors.Is(err, archive.ErrNotMail):
		return name + " is not e-mail: popvault imports .eml files, mbox files, Maildir folders and folders of .eml files."
	case errors.Is(err, os.ErrNotExist):
		return name + " is not there any more."
	}
	return fmt.Sprintf("%s: %v", name, err)
}

// droppedPaths are the local files among what was dropped on the window.
func droppedPaths(uris []fyne.URI) []string {
	var paths []string
	for _, u := range uris {
		if u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	return paths
}
