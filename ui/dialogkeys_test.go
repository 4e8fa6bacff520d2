package ui

import (
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"

	"popvault/fetch/pop3test"
	"popvault/restore"
)

// shownControl is the first shown object in the dialog on top that match
// accepts, or nil; call it on the UI goroutine.
func shownControl(w fyne.Window, match func(fyne.CanvasObject) bool) fyne.Focusable {
	var found fyne.Focusable
	top := w.Canvas().Overlays().Top()
	if top == nil {
		return nil
	}
	walkShown([]fyne.CanvasObject{top}, func(o fyne.CanvasObject) {
		if f, ok := o.(fyne.Focusable); ok && found == nil && match(o) {
			found = f
		}
	})
	return found
}

// the controls a dialog's test focuses, each found by what it is.
func buttonNamed(text string) func(fyne.CanvasObject) bool {
	return func(o fyne.CanvasObject) bool { b, ok := o.(*dialogButton); return ok && b.Text == text }
}

func isEntry(o fyne.CanvasObject) bool  { _, ok := o.(*dialogEntry); return ok }
func isSelect(o fyne.CanvasObject) bool { _, ok := o.(*dialogSelect); return ok }
func isCheck(o fyne.CanvasObject) bool  { _, ok := o.(*dialogCheck); return ok }
func isRadio(o fyne.CanvasObject) bool  { _, ok := o.(*radioChoice); return ok }
func isPassword(o fyne.CanvasObject) bool {
	e, ok := o.(*dialogEntry)
	return ok && e.Password
}

// TestEscapeClosesDialogs: in every dialog, with the keyboard in a
// field, a choice, a check box or a button, Escape closes the dialog and
// does nothing else: no button's action runs, a question is answered no.
func TestEscapeClosesDialogs(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	var opened []string
	u, w := newTestUIWith(t, s, Options{OpenURL: func(a string) error { opened = append(opened, a); return nil }})
	addAccount(t, u, s, "Home", "secret")
	storeAndOpen(t, u, string(testMail[1].Data)) // with an attachment to save
	dir := t.TempDir()

	var answers []bool // the delete question's
	for _, tc := range []struct {
		name     string
		open     func()
		controls map[string]func(fyne.CanvasObject) bool
		dismiss  string // the button that closes the dialog: Escape is it
		same     func() error
	}{
		{"account dialog", func() { u.showAccountDialog(nil) },
			map[string]func(fyne.CanvasObject) bool{"entry": isEntry, "password": isPassword, "choice": isSelect, "radio": isRadio, "Test connection": buttonNamed("Test connection"), "Cancel": buttonNamed("Cancel")},
			"Cancel", nil},
		{"copy to IMAP", func() { u.showRestoreDialog() },
			map[string]func(fyne.CanvasObject) bool{"entry": isEntry, "check box": isCheck, "choice": isSelect, "radio": isRadio, "Copy": buttonNamed("Copy"), "Cancel": buttonNamed("Cancel")},
			"Cancel", nil},
		{"settings", u.showSettings,
			map[string]func(fyne.CanvasObject) bool{"choice": isSelect, "Export": buttonNamed("Export…"), "Close": buttonNamed("Close")},
			"Close", nil},
		{"delete", func() {
			u.reader.deleteMessage()
			done := u.asking.onDone
			u.asking.onDone = func(ok bool) { answers = append(answers, ok); done(ok) }
		},
			map[string]func(fyne.CanvasObject) bool{"Keep": buttonNamed("Keep"), "Delete": buttonNamed("Delete")},
			"Keep", func() error {
				if len(answers) != 1 || answers[0] || u.asking != nil {
					return fmt.Errorf("the question was answered %v, and still asks: %v", answers, u.asking != nil)
				}
				answers = nil
				return nil
			}},
		{"remove account", func() { u.confirmRemove("Home") },
			map[string]func(fyne.CanvasObject) bool{"keep": buttonNamed("Remove, keep its mail"), "drop": buttonNamed("Remove with its mail"), "Cancel": buttonNamed("Cancel")},
			"Cancel", func() error {
				if len(u.accounts) != 1 {
					return fmt.Errorf("the accounts are %v", u.accounts)
				}
				return nil
			}},
		{"open link", func() { u.reader.askOpenLink("https://shop.example/", "shop.example") },
			map[string]func(fyne.CanvasObject) bool{"Open": buttonNamed("Open"), "Cancel": buttonNamed("Cancel")},
			"Cancel", func() error {
				if len(opened) != 0 {
					return fmt.Errorf("opened %v", opened)
				}
				return nil
			}},
		{"save file", func() { u.reader.saveDir = dir; u.reader.saveAttachment(u.reader.view.Attachments[0]) },
			map[string]func(fyne.CanvasObject) bool{"name": isEntry, "Choose": buttonNamed("Choose…"), "Save": buttonNamed("Save"), "Cancel": buttonNamed("Cancel")},
			"Cancel", func() error {
				if files, _ := os.ReadDir(dir); len(files) != 0 {
					return fmt.Errorf("saved %v", files)
				}
				return nil
			}},
		{"error", func() { u.showError("Saving failed", errors.New("disk full")) },
			map[string]func(fyne.CanvasObject) bool{"OK": buttonNamed("OK")},
			"OK", nil},
		{"no browser", func() { u.handOffFailed(toBrowser, "https://shop.example/", errors.New("xdg-open: exit status 3")) },
			map[string]func(fyne.CanvasObject) bool{"Details": buttonNamed("Details"), "copy": buttonNamed("Copy the address"), "Close": buttonNamed("Close")},
			"Close", nil},
	} {
		for kind, match := range tc.controls {
			t.Run(tc.name+"/"+kind, func(t *testing.T) {
				ui(tc.open)
				var c fyne.Focusable
				eventually(t, "the "+kind, func() bool { c = shownControl(w, match); return c != nil })
				// Every other button records being pressed.
				var pressed []string
				ui(func() {
					walkShown([]fyne.CanvasObject{w.Canvas().Overlays().Top()}, func(o fyne.CanvasObject) {
						if b, ok := o.(*dialogButton); ok && b.Text != tc.dismiss {
							tapped, text := b.OnTapped, b.Text
							b.OnTapped = func() { pressed = append(pressed, text); tapped() }
						}
					})
					w.Canvas().Focus(c)
					if w.Canvas().Focused() != c {
						t.Errorf("the %s did not take the keyboard", kind) // not Fatal: this is the UI goroutine
						return
					}
					w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
				})
				ui(func() {
					if w.Canvas().Overlays().Top() != nil || u.dialog != nil {
						t.Errorf("Escape in the %s left the dialog open", kind)
						for w.Canvas().Overlays().Top() != nil {
							w.Canvas().Overlays().Top().Hide()
						}
						u.dialog = nil
					}
					if len(pressed) > 0 {
						t.Errorf("Escape pressed %v", pressed)
					}
					if tc.same != nil {
						if err := tc.same(); err != nil {
							t.Errorf("Escape in the %s: %v", kind, err)
						}
					}
				})
			})
		}
	}
}

// TestFocusScrollsIntoView: in a dialog that scrolls, the control that
// takes the keyboard (as Tab gives it) is scrolled into view: the last,
// then the first again.
func TestFocusScrollsIntoView(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	ui(func() { w.Resize(fyne.NewSize(900, 480)) }) // a small screen: both dialogs scroll
	for _, tc := range []struct {
		name        string
		open        func()
		first, last func(fyne.CanvasObject) bool
	}{
		{"account dialog", func() { u.showAccountDialog(nil) }, isSelect, buttonNamed("Test connection")},
		{"settings", u.showSettings, func(o fyne.CanvasObject) bool { _, ok := o.(*copyField); return ok }, buttonNamed("Import…")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ui(tc.open)
			var first, last fyne.Focusable
			eventually(t, "the dialog", func() bool {
				first, last = shownControl(w, tc.first), shownControl(w, tc.last)
				return first != nil && last != nil
			})
			// Where o shows in the scroll's view, and the view's height.
			inView := func(o fyne.Focusable) (scroll *container.Scroll, top, bottom, view float32) {
				d := fyne.CurrentApp().Driver()
				c := o.(fyne.CanvasObject)
				scroll = enclosingScroll(w.Canvas().Overlays().List(), c)
				top = d.AbsolutePositionForObject(c).Y - d.AbsolutePositionForObject(scroll).Y
				return scroll, top, top + c.Size().Height, scroll.Size().Height
			}
			ui(func() {
				if enclosingScroll(w.Canvas().Overlays().List(), last.(fyne.CanvasObject)) == nil {
					t.Error("no scroll over the last control") // not Fatal: this is the UI goroutine
					return
				}
				if _, _, bottom, view := inView(last); bottom <= view {
					t.Errorf("the last control shows before any scrolling (%v of %v): the test proves nothing", bottom, view)
					return
				}
				w.Canvas().Focus(last)
				scroll, top, bottom, view := inView(last)
				if top < 0 || bottom > view || scroll.Offset.Y <= 0 {
					t.Errorf("the last control, focused, is at %v to %v of a %v view (offset %v)", top, bottom, view, scroll.Offset.Y)
				}
				w.Canvas().Focus(first)
				scroll, top, bottom, view = inView(first)
				if top < 0 || bottom > view {
					t.Errorf("the first control, focused, is at %v to %v of a %v view (offset %v)", top, bottom, view, scroll.Offset.Y)
				}
				for w.Canvas().Overlays().Top() != nil {
					w.Canvas().Overlays().Top().Hide()
				}
				u.dialog = nil
			})
		})
	}
}

// TestDialogRadio: dialogRadio chooses as widget.RadioGroup does, by a
// tap or by Space on an option; a required choice stays made.
func TestDialogRadio(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	for _, required := range []bool{true, false} {
		var told []string
		var r *dialogRadio
		var bySpace string
		ui(func() {
			r = u.dialogRadio([]string{"a", "b", "c"}, func(s string) { told = append(told, s) })
			r.Required = required
			r.SetSelected("a")
			w.SetContent(r)
			test.Tap(r.items[1])
			r.items[2].TypedRune(' ')
			bySpace = r.Selected
			test.Tap(r.items[2]) // the chosen one again
		})
		if bySpace != "c" {
			t.Errorf("required %v: Space chose %q", required, bySpace)
		}
		want := []string{"a", "b", "c"}
		if !required {
			want = append(want, "")
		}
		if !slices.Equal(told, want) || r.Selected != want[len(want)-1] {
			t.Errorf("required %v: told %q, chosen %q", required, told, r.Selected)
		}
		var focused fyne.Focusable
		ui(func() { focused = w.Canvas().Focused() })
		if focused != r.items[2] {
			t.Errorf("required %v: the keyboard is at %v, not the option tapped", required, focused)
		}
	}
}

// TestEscapeCancelsCopy: Escape in the copy's progress dialog is its
// Cancel: the copy stops and says so, rather than going on out of sight.
func TestEscapeCancelsCopy(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0") // takes the connection, never answers
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		var held []net.Conn
		for {
			c, err := silent.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			held = append(held, c)
		}
	}()
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	ids := storeAndOpen(t, u, string(testMail[0].Data))
	port := silent.Addr().(*net.TCPAddr).Port
	var p *restoreProgress
	ui(func() {
		p = u.copyToIMAP(restore.Options{Target: restore.Target{Host: "127.0.0.1", Port: port, User: "me", Mailbox: "Copied"}}, "", "", ids[0])
		w.Canvas().Focus(p.cancel)
		w.Canvas().Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
		if !p.cancel.Disabled() {
			t.Error("Escape did not press Cancel")
		}
	})
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the copy went on after Escape")
	}
	if !strings.Contains(p.summary, "cancelled") {
		t.Errorf("the summary says %q", p.summary)
	}
}
