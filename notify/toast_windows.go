package notify

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"unicode/utf16"

	"golang.org/x/sys/windows/registry"
)

// toastAppID is the app ID (AUMID) popvault's toasts are shown under:
// Windows shows its DisplayName above them and groups them by it.
const toastAppID = "popvault"

// Where popvault registers, for the current user, its app ID and the URI
// a click opens.
const (
	appIDKey = `Software\Classes\AppUserModelId\` + toastAppID
	uriKey   = `Software\Classes\` + uriScheme
)

// shownMarker is what the toast script prints once Windows has the toast:
// a PowerShell that does nothing (Wine's) prints nothing.
const shownMarker = "popvault: toast shown"

// toastScript shows the toast whose XML, base64 of UTF-8, follows it:
// the XML never passes through PowerShell's parser, so nothing in a
// title or body (a server's error message) can run as a command.
const toastScript = `$ErrorActionPreference = 'Stop'
[Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime] | Out-Null
[Windows.Data.Xml.Dom.XmlDocument, Windows.Data.Xml.Dom.XmlDocument, ContentType = WindowsRuntime] | Out-Null
$doc = New-Object Windows.Data.Xml.Dom.XmlDocument
$doc.LoadXml([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($args[0])))
[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier('` + toastAppID + `').Show([Windows.UI.Notifications.ToastNotification]::new($doc))
'` + shownMarker + `'
`

// Send shows n as a toast, the system's own notifications. A click opens
// the popvault-open: URI (OpenURI: the account, and o.Archive), which
// Windows hands to `popvault.exe --open-account popvault-open:NAME…`
// (registered here for the user), so
// nothing waits for it: where the window is running, that second
// popvault.exe is the window's to hand over. o.OnClick is not used.
//
// The toast goes through the Windows Runtime's ToastNotificationManager,
// from a hidden PowerShell (as Fyne's own notifications do): calling the
// Runtime from Go needs a COM class registered in this process, which
// Windows (Wine, at least) calls back while the process exits, when Go
// can no longer take the call.
func Send(ctx context.Context, n Notification, o Options) error {
	if err := n.check(); err != nil {
		return err
	}
	icon := ""
	if o.Icon != "" && filepath.IsAbs(o.Icon) {
		icon = o.Icon
	}
	if err := register(o.Exe, icon); err != nil {
		return err
	}
	doc := base64.StdEncoding.EncodeToString([]byte(toastXML(n, o.Archive, icon, "protocol")))
	cmd := exec.CommandContext(ctx, "powershell", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
		"-EncodedCommand", encodeCommand("& {"+toastScript+"} '"+doc+"'"))
	const createNoWindow = 0x08000000
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true, CreationFlags: createNoWindow}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if err != nil || !strings.Contains(out.String(), shownMarker) {
		return fmt.Errorf("notify: Windows did not show the notification (toasts need Windows 10 or later, and PowerShell): %v %s",
			err, strings.TrimSpace(out.String()))
	}
	return nil
}

// encodeCommand is PowerShell's -EncodedCommand: base64 of UTF-16LE.
func encodeCommand(script string) string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		b[2*i], b[2*i+1] = byte(r), byte(r>>8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// register names popvault's app ID for its toasts and, with exe, makes
// the popvault-open: URI start `"EXE" --open-account "%1"`, for the
// current user.
func register(exe, icon string) error {
	values := []struct{ path, name, value string }{
		{appIDKey, "DisplayName", "popvault"},
	}
	if icon != "" {
		values = append(values, struct{ path, name, value string }{appIDKey, "IconUri", icon})
	}
	if exe != "" {
		values = append(values, []struct{ path, name, value string }{
			{uriKey, "", "URL:popvault account"},
			{uriKey, "URL Protocol", ""},
			{uriKey + `\shell\open\command`, "", `"` + exe + `" ` + OpenAccountFlag + ` "%1"`},
		}...)
	}
	for _, v := range values {
		k, _, err := registry.CreateKey(registry.CURRENT_USER, v.path, registry.SET_VALUE)
		if err == nil {
			err = k.SetStringValue(v.name, v.value)
			k.Close()
		}
		if err != nil {
			return fmt.Errorf("notify: registering popvault's notifications (%s): %w", v.path, err)
		}
	}
	return nil
}

// RunWaiter is not needed on Windows: a toast's click starts popvault
// through its URI, with nothing waiting.
func RunWaiter(io.Reader, io.WriteCloser) error {
	return fmt.Errorf("notify: %s is for Linux; Windows needs no waiter", WaiterCommand)
}
