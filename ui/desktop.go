package ui

import (
	"os"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"popvault/internal/sessionbus"
)

// shortcuts: Ctrl+F searches, Ctrl+R fetches; the other keys are
// windowKey's, or the message list's own while it has the keyboard (see
// mailList).
func (u *UI) shortcuts() {
	c := u.win.Canvas()
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		c.Focus(u.search)
	})
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		u.fetchNow()
	})
	// Copy and Select all for the reader, where no text box has the
	// keyboard (one that has it copies its own).
	c.AddShortcut(&fyne.ShortcutCopy{}, func(fyne.Shortcut) { u.reader.copySelection() })
	c.AddShortcut(&fyne.ShortcutSelectAll{}, func(fyne.Shortcut) { u.reader.selectAll() })
	// Keys no focused widget took, and those pressed while a dialog
	// shows: see windowKey.
	c.SetOnTypedKey(u.windowKey)
}

// SetupDesktop adds the tray menu where the desktop shows one, and then
// keeps the app running in the tray when the window closes while checks
// are on. Where no tray shows (stock GNOME has none), closing quits: a
// hidden window could not be brought back or quit, and it would keep the
// archive locked against every cron fetch.
func (u *UI) SetupDesktop() {
	desk, ok := u.app.(desktop.App)
	if !ok || !trayShown() {
		return
	}
	u.tray = true
	desk.SetSystemTrayIcon(Icon)
	// Fyne appends Quit to a tray menu that has none.
	desk.SetSystemTrayMenu(fyne.NewMenu("popvault",
		fyne.NewMenuItem("Fetch now", func() { u.sched.FetchNow() }),
		fyne.NewMenuItem("Open", func() { u.win.Show(); u.win.RequestFocus() }),
	))
	u.win.SetCloseIntercept(u.closeWindow)
}

// closeWindow hides the window into the tray while periodic checks are
// on and a tray shows, and quits otherwise.
func (u *UI) closeWindow() {
	if u.tray {
		for _, a := range u.accounts {
			if a.CheckEveryMinutes > 0 {
				u.win.Hide()
				u.setStatus("popvault keeps checking for mail from the tray")
				return
			}
		}
	}
	u.quit()
}

// trayShown reports whether the desktop shows tray icons. On Linux they
// need a StatusNotifierWatcher on the session bus (KDE, and GNOME only
// with an AppIndicator extension); macOS and Windows always have one.
func trayShown() bool {
	if runtime.GOOS != "linux" && runtime.GOOS != "freebsd" && runtime.GOOS != "openbsd" && runtime.GOOS != "netbsd" {
		return true
	}
	return sessionbus.Owned("org.kde.StatusNotifierWatcher")
}

// removeEmpty deletes the empty file a save dialog created, so an export
// can create it itself.
func removeEmpty(path string) {
	if fi, err := os.Stat(path); err == nil && fi.Size() == 0 {
		os.Remove(path)
	}
}
