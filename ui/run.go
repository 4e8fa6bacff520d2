package ui

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"popvault/assets"
)

// Icon is the app's icon as a Fyne resource.
var Icon = fyne.NewStaticResource("icon.png", assets.IconPNG)

// ErrNoDisplay: there is no screen to open the window on.
var ErrNoDisplay = errors.New("ui: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); the command line works without one: popvault help")

// Run opens the window and returns when the app quits.
func Run(opts Options) (err error) {
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return ErrNoDisplay
	}
	defer func() {
		// The graphics driver panics when it cannot reach the display;
		// say so in a sentence instead.
		if r := recover(); r != nil {
			err = fmt.Errorf("ui: cannot open the window: %v", r)
		}
	}()
	// A window that may hold 100,000 rows for hours: collect garbage
	// sooner than Go's default, for a smaller resident size.
	debug.SetGCPercent(50)
	a := app.NewWithID(AppID)
	a.SetIcon(Icon)
	w := a.NewWindow("popvault")
	u, err := New(a, w, opts)
	if err != nil {
		return err
	}
	defer u.Close()
	w.SetContent(u.Content())
	w.Resize(fyne.NewSize(1100, 700))
	u.SetupDesktop()
	w.SetMaster()
	if opts.Prefill != nil {
		u.showAccountDialog(nil)
	}
	w.ShowAndRun()
	return nil
}
