//go:build !linux

package archive

// trim gives the archive's mapped pages back on Linux (trim_linux.go);
// elsewhere the system decides.
func (a *Archive) trim() {}
