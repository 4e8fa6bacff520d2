package archive

import (
	"os"
	"path/filepath"
	"runtime"
)

// DefaultPath is where the window and the command line keep the archive
// unless told otherwise: $XDG_DATA_HOME/popvault/archive.db on Linux
// (~/.local/share by default), the user's application-support or AppData
// folder elsewhere.
func DefaultPath() string {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" && runtime.GOOS != "windows" && runtime.GOOS != "darwin" {
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".local", "share")
		}
	}
	if dir == "" {
		dir, _ = os.UserConfigDir()
	}
	return filepath.Join(dir, "popvault", "archive.db")
}
