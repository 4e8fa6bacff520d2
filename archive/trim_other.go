//go:build !linux

package archive

// Trim drops the archive's mapped pages from resident memory where the
// system allows; elsewhere it does nothing.
func (a *Archive) Trim() {}
