package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"popvault/ui"
)

// runWindow opens the window on the archive at path (default when empty).
func runWindow(path string) {
	a := app.NewWithID(ui.AppID)
	w := a.NewWindow("popvault")
	w.SetContent(ui.Create(a, w))
	w.Resize(fyne.NewSize(960, 640))
	w.ShowAndRun()
}
