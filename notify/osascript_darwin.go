package notify

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Send shows n with AppleScript's display notification, the fallback
// until popvault ships as a signed bundle that UNUserNotificationCenter
// accepts. A click cannot open popvault: o is not used.
func Send(ctx context.Context, n Notification, _ Options) error {
	if err := n.check(); err != nil {
		return err
	}
	script := "display notification " + appleString(n.Body) + " with title " + appleString(n.Title)
	if out, err := exec.CommandContext(ctx, "osascript", "-e", script).CombinedOutput(); err != nil {
		return fmt.Errorf("notify: osascript: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// appleString quotes s as an AppleScript string literal.
func appleString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// RunWaiter is not needed on macOS, where nothing can wait for a click.
func RunWaiter(io.Reader, io.WriteCloser) error {
	return fmt.Errorf("notify: %s is for Linux", WaiterCommand)
}
