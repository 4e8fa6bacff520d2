package ui

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2"
)

// The tests' stand-in for Fyne's goroutine: one goroutine runs, in order,
// everything handed to onUI and onUIAndWait, and the tests do their own
// widget work there too (see ui). Like the real driver's paint loop, it
// also refreshes every window's content every few milliseconds, reading
// every widget: a widget touched from any other goroutine then races
// with it, and -race says so.
var (
	uiQueue     = make(chan func(), 100_000)
	uiGoroutine uint64
)

func TestMain(m *testing.M) {
	started := make(chan struct{})
	go func() {
		uiGoroutine = goroutineID()
		close(started)
		for f := range uiQueue {
			run(f)
		}
	}()
	<-started
	go func() {
		for {
			// A paint, then a pause as long again at least: the tests'
			// own work must not wait behind paints.
			start := time.Now()
			done := make(chan struct{})
			uiQueue <- func() { paint(); close(done) }
			<-done
			time.Sleep(max(10*time.Millisecond, time.Since(start)))
		}
	}()
	onUI = func(f func()) { uiQueue <- f }
	onUIAndWait = func(f func()) {
		if goroutineID() == uiGoroutine {
			f()
			return
		}
		done := make(chan struct{})
		uiQueue <- func() { defer close(done); f() }
		<-done
	}
	if what := os.Getenv(childEnv); what != "" {
		os.Exit(runChild(what))
	}
	os.Exit(m.Run())
}

// run runs a task on the UI goroutine. A task that stops its goroutine
// (a t.Fatal inside ui) would leave every test waiting for ever: that is
// a bug in the test, and it ends the run at once, saying so.
func run(f func()) {
	finished := false
	defer func() {
		if finished {
			return
		}
		if r := recover(); r != nil {
			panic(r) // a panic says so itself
		}
		fmt.Fprintln(os.Stderr, "ui tests: a task on the UI goroutine stopped it (t.Fatal inside ui?)")
		os.Exit(2)
	}()
	f()
	finished = true
}

// paint refreshes what the current app's windows show.
func paint() {
	a := fyne.CurrentApp()
	if a == nil {
		return
	}
	for _, w := range a.Driver().AllWindows() {
		if c := w.Content(); c != nil {
			c.Refresh()
		}
	}
}

// ui runs f on the UI goroutine and waits for it: tests touch widgets
// only through it.
func ui(f func()) { onUIAndWait(f) }

// goroutineID is the calling goroutine's number, read from its stack's
// first line ("goroutine 7 [running]:"). Tests only.
func goroutineID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	id, _ := strconv.ParseUint(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	return id
}
