// Package notify shows a desktop notification from popvault, from a
// scheduled run or from the window, whose click opens popvault's window
// on the account it is about; and decides, from an account's record of
// fetches, when one is due ([ShouldNotify]).
//
// Linux and the BSDs: the freedesktop Notifications service
// (org.freedesktop.Notifications.Notify) on the session bus, found as
// internal/sessionbus finds the keyring's: a scheduled job has no
// session variables, and a bus is never started (godbus would
// autolaunch one that outlives the run). No bus, a bus that does not
// answer (its socket left behind by a daemon that is gone, or stopped),
// or a bus with no notification service on it (an ssh login's):
// [ErrNoSession], and nothing is started. The notification names the
// app "popvault" with its icon, a title and a body in plain words, the
// hint desktop-entry io.popvault.app, and a default action "Open
// popvault".
//
// Waiting for the click. The server says a notification was clicked
// with the ActionInvoked signal, and some servers (dunst) send it only
// to the connection that sent the notification; a scheduled run ends
// right after fetching, and must not stay resident to wait. So a run
// that ends (Options.OnClick unset) first asks the service what it can
// do (GetCapabilities): one that reports no clicks (no "actions") gets
// the notification from the run itself, and nothing waits; otherwise
// the run starts a process of its own, `EXE notify-wait` (which calls
// [RunWaiter]): it sends the notification itself, reports the outcome
// to Send over a pipe (a waiter whose notification was refused ends,
// and Send reaps it before it returns), and then waits, detached, for
// that notification's ActionInvoked ("default": it starts `EXE
// --open-account NAME`) or NotificationClosed, or for
// Options.WaitAtMost (15 minutes by default), whichever comes first,
// and ends. A click after that still reaches GNOME Shell, which starts
// the app from the desktop-entry hint (without the account). A run
// started by cron has no display: the window a click starts gets the
// desktop's (DISPLAY, WAYLAND_DISPLAY and the like) from the systemd
// user manager's environment on the session bus, where GNOME and Plasma
// put them. The window, which stays running, sets OnClick and waits in
// its own process.
//
// The waiter is started in a session of its own (setsid) with no
// inherited output, so cron does not wait for it; a systemd service
// kills what its process leaves behind unless told not to, which is why
// the schedule package's service says KillMode=process.
//
// Windows: a toast, the system's own notifications, through the Windows
// Runtime's ToastNotificationManager, under the app ID "popvault" that
// Send registers for the user (HKCU\Software\Classes\AppUserModelId). A
// click activates the URI popvault-open:NAME?archive=PATH ([OpenURI],
// every byte but letters, digits and "-._~" percent-encoded), which Send
// registers too (HKCU\Software\Classes\popvault-open) to run
// `popvault.exe --open-account URI`: a URI works whether or not popvault
// still runs, where the toast's COM callback needs a running process.
// [ParseOpenArg] turns the argument back into the account's name and
// the archive, and refuses an archive that is not a local full path:
// any web page can open such a URI. The Runtime is called from a hidden PowerShell (as Fyne's
// notifications are), with the toast's XML passed as base64, never as
// script text: calling it from Go (git.sr.ht/~jackmordaunt/go-toast)
// registers a COM class that Wine calls back while the process exits,
// which crashes Go's runtime; and that library's PowerShell fallback
// pastes the XML into a double-quoted here-string, where "$(…)" in a
// server's error message would run. Wine's PowerShell is a stub: there
// Send fails, saying so.
//
// macOS: the system's notifications need UNUserNotificationCenter, from
// an app bundle with a signature; until popvault ships one, Send runs
// `osascript -e 'display notification …'`, whose click cannot open
// popvault (macOS opens Script Editor's notification settings, at
// most). It is built for darwin only and is not tested here.
package notify
