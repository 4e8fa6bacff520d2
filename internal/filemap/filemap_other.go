//go:build !linux

package filemap

// ReleaseBytes gives pages back on Linux only; elsewhere the system
// decides (the archive does it on Windows itself, knowing its one view).
func ReleaseBytes(b []byte) {}

// ReleaseMapping gives pages back on Linux only.
func ReleaseMapping(path string, start uintptr) {}
