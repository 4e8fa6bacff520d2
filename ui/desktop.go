package ui

import (
	"errors"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
)

// shortcuts: Ctrl+F searches, Ctrl+R fetches, Delete deletes the open
// message (the message list takes the other keys itself: see mailList).
func (u *UI) shortcuts() {
	c := u.win.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		c.Focus(u.search)
	})
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		u.fetchNow()
	})
	// Keys no focused widget took: Delete, and Enter or Escape to answer
	// the delete dialog, whose buttons Fyne leaves to the mouse.
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch {
		case ev.Name == fyne.KeyDelete:
			u.reader.deleteMessage()
		case u.asking != nil && (ev.Name == fyne.KeyReturn || ev.Name == fyne.KeyEnter):
			u.asking.Confirm()
		case u.asking != nil && ev.Name == fyne.KeyEscape:
			u.asking.Hide()
		}
	})
}

// SetupDesktop adds the tray menu where the desktop has one, and keeps the
// app running in the tray when the window closes while checks are on.
func (u *UI) SetupDesktop() {
	desk, ok := u.app.(desktop.App)
	if !ok {
		return
	}
	desk.SetSystemTrayIcon(Icon)
	// Fyne appends Quit to a tray menu that has none.
	desk.SetSystemTrayMenu(fyne.NewMenu("popvault",
		fyne.NewMenuItem("Fetch now", func() { u.sched.FetchNow() }),
		fyne.NewMenuItem("Open", func() { u.win.Show(); u.win.RequestFocus() }),
	))
	u.win.SetCloseIntercept(func() {
		for _, a := range u.accounts {
			if a.CheckEveryMinutes > 0 {
				u.win.Hide()
				return
			}
		}
		u.app.Quit()
	})
}

func showErrorDialog(w fyne.Window, context string, err error) {
	dialog.ShowError(errors.New(context+": "+err.Error()), w)
}

// removeEmpty deletes the empty file a save dialog created, so an export
// can create it itself.
func removeEmpty(path string) {
	if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
		os.Remove(path)
	}
}
