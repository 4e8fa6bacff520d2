package fetch

import (
	"errors"
	"runtime"
	"syscall"
)

// Windows' own socket errors, WSAECONNREFUSED and WSAECONNRESET: there
// syscall.ECONNREFUSED and ECONNRESET are Go's inventions, which no
// connection ever fails with, so errors.Is needs both.
const (
	wsaConnRefused = syscall.Errno(10061)
	wsaConnReset   = syscall.Errno(10054)
)

// ConnRefused reports whether err is a connection refused: nobody listens
// on that port, or a firewall says so.
func ConnRefused(err error) bool {
	return errors.Is(err, syscall.ECONNREFUSED) || runtime.GOOS == "windows" && errors.Is(err, wsaConnRefused)
}

// connReset reports whether err is a connection the other side dropped.
func connReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || runtime.GOOS == "windows" && errors.Is(err, wsaConnReset)
}
