package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/credentials"
)

// showSettings shows where the archive is, and export and import.
func (u *UI) showSettings() {
	path := newCopyField("the archive's path", u.opts.ArchivePath, u.copyText, u.windowKey)
	path.label.Wrapping = fyne.TextWrapBreak
	where := widget.NewLabel("Passwords are kept outside the archive.")
	where.Wrapping = fyne.TextWrapWord
	var content *fyne.Container
	// Why there is no keyring is technical ("the D-Bus session bus at …"):
	// behind Details, selectable, for whoever helps.
	detail := newCopyField("details", "", u.copyText, u.windowKey)
	detail.label.Wrapping = fyne.TextWrapBreak
	detail.Hide()
	details := u.dialogButton("Details", func() { detail.Show() })
	details.Importance = widget.LowImportance
	details.Hide()
	u.background(func() func() {
		text, why := splitDetail(credentials.Where(u.secrets))
		return func() {
			where.SetText(text)
			if why != "" {
				detail.label.SetText(why)
				details.Show()
			}
			content.Refresh() // the wrapped text's new height moves what is below it
		}
	})
	exportFormat := u.dialogSelect(formatLabels(exportFormats), nil)
	exportFormat.SetSelectedIndex(0)
	importFormat := u.dialogSelect(formatLabels(importFormats), nil)
	importFormat.SetSelectedIndex(0)
	exportAll := u.dialogButton("Export…", func() { u.exportTo(exportFormats[exportFormat.SelectedIndex()].format) })
	importBtn := u.dialogButton("Import…", func() { u.importFrom(importFormats[importFormat.SelectedIndex()].format) })
	theme := widget.NewLabel("Light or dark follows your desktop's setting.")
	content = container.NewVBox(
		widget.NewLabelWithStyle("Archive", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), path,
		where, container.NewHBox(details), detail,
		widget.NewSeparator(),
		u.scheduleSection(), // schedule.go
		widget.NewSeparator(),
		u.picturesSection(), // remotepictures.go
		widget.NewSeparator(),
		widget.NewLabelWithStyle("Export all mail", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, exportAll, exportFormat),
		widget.NewLabelWithStyle("Import from another program", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewBorder(nil, nil, nil, importBtn, importFormat),
		widget.NewSeparator(), theme,
	)
	// It scrolls: its sections outgrow a small window, and Close would
	// cover the last of them.
	d := u.custom("Settings", "Close", container.NewVScroll(content))
	d.Resize(fyne.NewSize(600, 600))
	u.showDialog(d, nil)
}

// A format as the choice says it, in words.
type formatChoice struct{ label, format string }

var (
	exportFormats = []formatChoice{{"One mbox file", archive.FormatMbox}, {"A Maildir folder", archive.FormatMaildir}, {"A folder of .eml files", archive.FormatEML}}
	importFormats = []formatChoice{{"An mbox file", archive.FormatMbox}, {"A Maildir folder", archive.FormatMaildir}, {"A folder of .eml files", archive.FormatEML}}
)

func formatLabels(choices []formatChoice) []string {
	var out []string
	for _, c := range choices {
		out = append(out, c.label)
	}
	return out
}

// splitDetail cuts a sentence's technical part, in brackets, from its
// plain words: "…because there is no system keyring here (the D-Bus
// session bus at …). Fetches…" gives the sentence without the brackets,
// and what was in them.
func splitDetail(s string) (plain, detail string) {
	i, j := strings.Index(s, " ("), strings.LastIndex(s, ")")
	if i < 0 || j < i {
		return s, ""
	}
	return s[:i] + s[j+1:], s[i+2 : j]
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
