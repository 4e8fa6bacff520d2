package archive

import (
	"os"
	"path/filepath"
	"runtime"
)

// DefaultPath is where the window and the command line keep the archive
// unless told otherwise: $XDG_DATA_HOME/popvault/archive.db on Linux
// (~/.local/share by default), %LocalAppData%\popvault\archive.db on
// Windows, and the application-support folder on macOS. On Windows the
// archive is local data, not a setting: %AppData% roams with the user's
// profile, and gigabytes of mail would be copied at every sign-in.
func DefaultPath() string {
	dir := os.Getenv("XDG_DATA_HOME")
	switch {
	case dir != "":
	case runtime.GOOS == "windows":
		dir, _ = os.UserCacheDir() // %LocalAppData%
	case runtime.GOOS != "darwin":
		if home, err := os.UserHomeDir(); err == nil {
			dir = filepath.Join(home, ".local", "share")
		}
	}
	if dir == "" {
		dir, _ = os.UserConfigDir()
	}
	return filepath.Join(dir, "popvault", "archive.db")
}
