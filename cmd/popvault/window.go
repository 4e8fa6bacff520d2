package main

import (
	"runtime/debug"

	"popvault/ui"
)

// runWindow opens the window on the archive at path: the one the command
// line would use ($POPVAULT_ARCHIVE, --archive or the default).
func runWindow(path string) error {
	// A window that may hold 100,000 rows for hours: collect garbage
	// sooner than Go's default, for a smaller resident size.
	debug.SetGCPercent(50)
	return ui.Run(ui.Options{ArchivePath: path})
}
