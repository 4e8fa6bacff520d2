package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/credentials"
)

// showSettings shows where the archive is, and export and import.
func (u *UI) showSettings() {
	path := widget.NewLabel(u.opts.ArchivePath)
	path.Wrapping = fyne.TextWrapBreak
	path.Selectable = true
	where := widget.NewLabel("Passwords are kept outside the archive.")
	where.Wrapping = fyne.TextWrapWord
	var content *fyne.Container
	u.background(func() func() {
		text := credentials.Where(u.secrets)
		return func() {
			where.SetText(text)
			content.Refresh() // the wrapped text's new height moves what is below it
		}
	})
	exportFormat := widget.NewSelect([]string{archive.FormatMbox, archive.FormatMaildir, archive.FormatEML}, nil)
	exportFormat.SetSelectedIndex(0)
	importFormat := widget.NewSelect([]string{archive.FormatMbox, archive.FormatMaildir}, nil)
	importFormat.SetSelectedIndex(0)
	exportAll := widget.NewButton("Export…", func() { u.exportTo(exportFormat.Selected) })
	importBtn := widget.NewButton("Import…", func() { u.importFrom(importFormat.Selected) })
	theme := widget.NewLabel("Light or dark follows your desktop's setting.")
	content = container.NewVBox(
		widget.NewLabelWithStyle("Archive", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), path,
		where,
		widget.NewSeparator(),
		u.scheduleSection(), // schedule.go
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Export all mail", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, exportAll, exportFormat),
		widget.NewLabelWithStyle("Import from another program", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, importBtn, importFormat),
		widget.NewSeparator(), theme,
	)
	d := dialog.NewCustom("Settings", "Close", content, u.win)
	d.Resize(fyne.NewSize(600, 600))
	d.Show()
}

// exportTo asks where, then exports off the UI goroutine. An mbox is a
// file; Maildir and .eml go into a new folder inside the chosen one.
func (u *UI) exportTo(format string) {
	run := func(path string) {
		u.setStatus("Exporting…")
		u.background(func() func() {
			n, err := u.arch.Export(format, path, "")
			return func() {
				if err != nil {
					u.showError("Export failed", err)
					return
				}
				u.setStatus(fmt.Sprintf("Exported %d messages to %s", n, path))
			}
		})
	}
	if format == archive.FormatMbox {
		d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				return
			}
			path := w.URI().Path()
			w.Close()
			removeEmpty(path)
			run(path)
		}, u.win)
		d.SetFileName("popvault.mbox")
		d.Show()
		return
	}
	dialog.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil || dir == nil {
			return
		}
		run(dir.Path() + "/popvault-" + format)
	}, u.win)
}

func (u *UI) importFrom(format string) {
	run := func(path string) {
		u.setStatus("Importing…")
		u.background(func() func() {
			rep, err := u.arch.Import(format, path, "")
			return func() {
				if err != nil {
					u.showError("Import failed", err)
					return
				}
				u.setStatus(fmt.Sprintf("Imported %d messages (%d were already in the archive)", rep.Added, rep.Duplicates))
				u.reloadAccounts()
			}
		})
	}
	if format == archive.FormatMbox {
		dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
			if err != nil || r == nil {
				return
			}
			r.Close()
			run(r.URI().Path())
		}, u.win)
		return
	}
	dialog.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
		if err == nil && dir != nil {
			run(dir.Path())
		}
	}, u.win)
}
