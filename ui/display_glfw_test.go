//go:build !ci

package ui

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-gl/glfw/v3.3/glfw"
)

// Run turns only GLFW's "the display cannot be reached" into an error;
// any other panic is a bug whose trace must stay.
func TestDisplayError(t *testing.T) {
	unreachable := &glfw.Error{Code: glfw.ErrorCode(0x00010001), Desc: "The GLFW library is not initialized"} // GLFW_NOT_INITIALIZED
	if err := displayError(unreachable); err == nil || !strings.Contains(err.Error(), "cannot open the window") {
		t.Fatalf("the display's panic: %v", err)
	}
	for _, r := range []any{errors.New("index out of range"), "a string", &glfw.Error{Code: glfw.ErrorCode(0x00010003), Desc: "invalid enum"}} {
		if err := displayError(r); err != nil {
			t.Errorf("%v became an error, losing its trace: %v", r, err)
		}
	}
}
