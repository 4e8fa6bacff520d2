package ui

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"github.com/go-gl/glfw/v3.3/glfw"

	"popvault/assets"
	"popvault/internal/sessionbus"
)

// Icon is the app's icon as a Fyne resource.
var Icon = fyne.NewStaticResource("icon.png", assets.IconPNG)

// ErrNoDisplay: there is no screen to open the window on.
var ErrNoDisplay = errors.New("ui: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); the command line works without one: popvault help")

// displayError is the one panic Run turns into an error: GLFW's when the
// display named in DISPLAY cannot be reached (it logs that, then panics
// "NotInitialized" at the first window). Any other panic is a bug, and
// its trace is kept.
func displayError(r any) error {
	var gerr *glfw.Error
	if e, ok := r.(error); ok && errors.As(e, &gerr) && gerr.Code.String() == "NotInitialized" {
		return fmt.Errorf("ui: cannot open the window: the display %q cannot be reached (%v)", os.Getenv("DISPLAY"), gerr)
	}
	return nil
}

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
