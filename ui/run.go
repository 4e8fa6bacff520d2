package ui

import (
	"errors"
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"popvault/assets"
	"popvault/internal/sessionbus"
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
		r := recover()
		if r == nil {
			return
		}
		if derr := displayError(r); derr != nil {
			err = derr
			return
		}
		panic(r) // not ours to explain: keep the trace
	}()
	// Fyne asks the session bus for the desktop's settings (its colour
	// scheme, through the portal); with no bus known, godbus would run
	// dbus-launch, whose daemon outlives the window (a plain X session,
	// ssh -X): the bus is pinned first.
	sessionbus.Pin()
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
