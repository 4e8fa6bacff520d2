// Package xvfb gives tests a virtual X display to run a real window on,
// and the means to look at it: screenshots, and xdotool's clicks and keys.
package xvfb

import (
	"bufio"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Start starts a virtual display for the test and returns its name. Xvfb
// picks a free display number itself (-displayfd), skipping the lock files
// that a killed X server leaves behind; it is stopped with SIGTERM, so
// that it removes its own. Under -short (make check) the test skips.
func Start(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs Xvfb, a virtual X display: make check (-short) skips it, make test runs it")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	x.ExtraFiles = []*os.File{w} // the child's fd 3
	err = x.Start()
	w.Close()
	if err != nil {
		t.Fatalf("Xvfb: %v (make deps installs it)", err)
	}
	t.Cleanup(func() {
		x.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- x.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			x.Process.Kill()
			<-done
		}
	})
	number := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		number <- strings.TrimSpace(line)
	}()
	select {
	case n := <-number:
		if n == "" {
			t.Fatal("Xvfb did not start")
		}
		return ":" + n
	case <-time.After(10 * time.Second):
		t.Fatal("Xvfb did not say which display it took")
	}
	return ""
}

// Unused returns the name of a display no X server on this machine holds
// (no socket, no lock file), for a test of a window that cannot open.
func Unused(t testing.TB) string {
	t.Helper()
	for n := 77; n < 1000; n++ {
		_, errSocket := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n))
		_, errLock := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n))
		if os.IsNotExist(errSocket) && os.IsNotExist(errLock) {
			return fmt.Sprintf(":%d", n)
		}
	}
	t.Fatal("every display from :77 to :999 is taken")
	return ""
}

// Run runs a program (import, xdotool) on the display; the test fails if
// it does.
func Run(t testing.TB, display string, name string, args ...string) {
	t.Helper()
	c := exec.Command(name, args...)
	c.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", name, err, out)
	}
}

// Output runs a program on the display and returns what it printed.
func Output(display string, name string, args ...string) ([]byte, error) {
	c := exec.Command(name, args...)
	c.Env = append(os.Environ(), "DISPLAY="+display)
	return c.CombinedOutput()
}

// Screenshot saves the whole display as a PNG at path and returns the
// picture, or nil where it could not be taken.
func Screenshot(display, path string) image.Image {
	if _, err := Output(display, "import", "-window", "root", path); err != nil {
		return nil
	}
	return Decode(path)
}

// Decode reads a PNG file, or returns nil.
func Decode(path string) image.Image {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil
	}
	return img
}

// Uniform reports whether every pixel of r (every second one, each way)
// has one colour: nothing is drawn there.
func Uniform(img image.Image, r image.Rectangle) bool {
	first := img.At(r.Min.X, r.Min.Y)
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		for x := r.Min.X; x < r.Max.X; x += 2 {
			if img.At(x, y) != first {
				return false
			}
		}
	}
	return true
}
