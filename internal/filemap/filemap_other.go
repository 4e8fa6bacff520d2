//go:build !linux

package filemap

// Release gives pages back on Linux only; elsewhere the system decides
// (the archive does it on Windows itself, knowing its one view).
func Release(match func(path string) bool) {}
