//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd || windows || darwin)

package notify

import (
	"context"
	"fmt"
	"io"
)

// Send has nowhere to show a notification on this system.
func Send(context.Context, Notification, Options) error { return ErrNoSession }

// RunWaiter is for Linux.
func RunWaiter(io.Reader, io.WriteCloser) error {
	return fmt.Errorf("notify: %s is for Linux", WaiterCommand)
}
