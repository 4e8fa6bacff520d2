// Command popvault downloads POP3 mail into a local archive. With no
// arguments it opens the window.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"popvault/ui"
)

func main() {
	a := app.NewWithID(ui.AppID)
	w := a.NewWindow("popvault")
	w.SetContent(ui.Create(a, w))
	w.Resize(fyne.NewSize(960, 640))
	w.ShowAndRun()
}
