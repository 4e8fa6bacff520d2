//go:build !ci

package ui

import (
	"errors"
	"fmt"
	"os"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// displayError is the one panic Run turns into an error: GLFW's when the
// display named in DISPLAY cannot be reached (it logs that, then panics
// "NotInitialized" at the first window). Any other panic is a bug, and
// its trace is kept.
//
// Fyne's build tag ci (make check's) builds the app on Fyne's headless
// driver, without GLFW; this file, the one in ui that names GLFW, then
// gives way to display_ci.go.
func displayError(r any) error {
	var gerr *glfw.Error
	if e, ok := r.(error); ok && errors.As(e, &gerr) && gerr.Code.String() == "NotInitialized" {
		return fmt.Errorf("ui: cannot open the window: the display %q cannot be reached (%v)", os.Getenv("DISPLAY"), gerr)
	}
	return nil
}
