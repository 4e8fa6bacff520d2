package ui

import (
	"bytes"
	"fmt"
	"net/url"
	"os/exec"
	"runtime"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// handOffKind is what a hand-off to another program is for: it decides
// what the window says when no program takes it, and which fix it offers.
type handOffKind int

const (
	toMailProgram handOffKind = iota // Reply, Forward
	toBrowser                        // a link, View in browser
	toOpener                         // an attachment's program
)

// handOff hands address to the program the system chooses for it, off the
// UI goroutine, and says so in the window when none takes it: Fyne's
// OpenURL starts xdg-open and never hears whether it found a program.
// A test's Options.OpenURL is called here, on the UI goroutine.
func (u *UI) handOff(kind handOffKind, address string) {
	if u.opts.OpenURL != nil {
		if err := u.opts.OpenURL(address); err != nil {
			u.handOffFailed(kind, address, err)
		}
		return
	}
	go func() {
		if err := systemOpen(u.app, address); err != nil {
			onUI(func() { u.handOffFailed(kind, address, err) })
		}
	}()
}

// systemOpen opens address with the system's program for it and waits for
// the opener's answer. Where Fyne starts xdg-open without waiting (Linux,
// the BSDs), popvault runs it itself and reads its exit status: 3 means no
// program is set for the address, 4 that the one set failed.
func systemOpen(a fyne.App, address string) error {
	parsed, err := url.Parse(address)
	if err != nil {
		return err
	}
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "android", "js":
		return a.OpenURL(parsed)
	}
	var stderr bytes.Buffer
	cmd := exec.Command("xdg-open", parsed.String())
	cmd.Stderr = &limitedBuffer{b: &stderr, n: 4 << 10}
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("xdg-open: %w: %s", err, msg)
		}
		return fmt.Errorf("xdg-open: %w", err)
	}
	return nil
}

// limitedBuffer keeps the first n bytes written to it: an opener's
// complaint, not whatever a browser it started prints for hours.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// handOffFailed says in the window that no program took a hand-off, what
// to do about it, and the opener's own words under Details.
func (u *UI) handOffFailed(kind handOffKind, address string, err error) {
	title, text := handOffWords(kind)
	u.setStatus(title)
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	// The opener's words behind Details, to copy for whoever helps (as
	// in Settings: an Accordion's header and a selectable Label would be
	// Tab stops that drop Escape).
	details := newCopyField("details", err.Error(), u.copyText, u.windowKey)
	details.label.Wrapping = fyne.TextWrapBreak
	details.Hide()
	more := u.dialogButton("Details", nil)
	more.Importance = widget.LowImportance
	more.OnTapped = func() {
		if details.Visible() {
			details.Hide()
		} else {
			details.Show()
		}
	}
	content := container.NewVBox(msg, container.NewHBox(more), details)
	d := u.custom(title, "Close", content)
	if kind == toBrowser && !strings.HasPrefix(address, "file:") {
		copyAddr := u.dialogButton("Copy the address", func() {
			u.app.Clipboard().SetContent(address)
			u.setStatus("Address copied: paste it into your browser")
			d.Hide()
		})
		d.SetButtons([]fyne.CanvasObject{copyAddr, u.dialogButton("Close", d.Hide)})
	}
	d.Resize(fyne.NewSize(520, 260))
	u.showDialog(d, nil)
}

// handOffWords are the title and the sentence of a failed hand-off.
func handOffWords(kind handOffKind) (title, text string) {
	switch kind {
	case toMailProgram:
		return "No mail program opened",
			"popvault sends no mail itself: it hands replies and forwards to your mail program, and none took this one. " +
				"Choose a default mail program in your system's settings (on Linux, for example: xdg-mime default thunderbird.desktop x-scheme-handler/mailto), then try again."
	case toBrowser:
		return "No browser opened",
			"popvault hands links and pages to your web browser, and none took this one. " +
				"Choose a default web browser in your system's settings, then try again."
	}
	return "No program opened the attachment",
		"Your system has no program set for this kind of file, or the one set failed. " +
			"Save the attachment (the button beside it) and open it from your file manager."
}
