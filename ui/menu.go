package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
)

// mainMenu is the window's menu bar: what is done now and then, beside
// the toolbar's everyday buttons. (Fyne adds Quit to the first menu.)
func (u *UI) mainMenu() *fyne.MainMenu {
	return fyne.NewMainMenu(fyne.NewMenu("File",
		fyne.NewMenuItem("Back up a mailbox…", func() { u.showProviderChoice() }),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Import mail files…", u.chooseImportFile),
		fyne.NewMenuItem("Import a folder…", u.chooseImportFolder),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Settings", u.showSettings),
	), u.messageMenu())
}

// messageMenu is the menu bar's Message menu: what the reader's buttons
// and right-click menu do, for the open message. (No item has a
// shortcut: the menu bar's would take Ctrl+C from the search box.)
func (u *UI) messageMenu() *fyne.Menu {
	r := u.reader
	items := append(r.messageItems(), fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Copy (Ctrl+C)", r.copySelection),
		fyne.NewMenuItem("Select all (Ctrl+A)", r.selectAll),
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("View in browser", r.viewInBrowser),
		fyne.NewMenuItem("Save as .eml…", r.saveEML),
		fyne.NewMenuItem("Raw source", r.showRaw),
	)
	return fyne.NewMenu("Message", items...)
}

// chooseImportFile imports a file: an .eml message or an mbox.
func (u *UI) chooseImportFile() {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		r.Close()
		u.importPaths([]string{r.URI().Path()})
	}, u.win)
}

// chooseImportFolder imports a folder: a Maildir, or .eml files.
func (u *UI) chooseImportFolder() {
	dialog.ShowFolderOpen(func(dir fyne.ListableURI, err error) {
		if err == nil && dir != nil {
			u.importPaths([]string{dir.Path()})
		}
	}, u.win)
}

// dropped imports what was dropped on the window.
func (u *UI) dropped(_ fyne.Position, uris []fyne.URI) {
	u.importPaths(droppedPaths(uris))
}
