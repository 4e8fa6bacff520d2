// Package ui is popvault's Fyne window: accounts, fetching and reading mail.
// It is the only package that imports Fyne; everything it shows comes from
// the fetch and archive packages through their Go APIs.
package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// AppID is the application's identifier; it matches FyneApp.toml so that
// preferences and storage land in the same place however the app is started.
const AppID = "io.popvault.app"

// Create builds the main window's content.
func Create(a fyne.App, w fyne.Window) fyne.CanvasObject {
	title := widget.NewLabelWithStyle("popvault", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	note := widget.NewLabel("Your POP mail, archived on this computer.")
	note.Alignment = fyne.TextAlignCenter
	return container.NewCenter(container.NewVBox(title, note))
}
