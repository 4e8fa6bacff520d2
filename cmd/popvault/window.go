package main

import "popvault/ui"

// runWindow opens the window on the archive at path (default when empty).
func runWindow(path string) error {
	return ui.Run(ui.Options{ArchivePath: path})
}
