package ui

import (
	"errors"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
)

// shortcuts: Ctrl+F searches, Ctrl+R fetches, Delete deletes the open
// message; arrows and Enter move in whichever list has focus.
func (u *UI) shortcuts() {
	c := u.win.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		c.Focus(u.search)
	})
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		u.fetchNow()
	})
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		if ev.Name == fyne.KeyDelete {
			u.reader.deleteMessage()
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
