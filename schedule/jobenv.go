package schedule

import (
	"os"
	"runtime"
)

// JobEnvironment is the environment a scheduled job runs with, as cron
// gives it: HOME, the user's names, a plain PATH, and the variables
// Environment writes into the job; nothing of the desktop
// session (no DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR or DISPLAY).
// Windows' Task Scheduler runs a task with the user's own environment.
func JobEnvironment() []string {
	if runtime.GOOS == "windows" {
		return os.Environ()
	}
	env := []string{"PATH=/usr/bin:/bin", "SHELL=/bin/sh"}
	for _, name := range []string{"HOME", "USER", "LOGNAME", "LANG"} {
		if v, ok := os.LookupEnv(name); ok {
			env = append(env, name+"="+v)
		}
	}
	return append(env, Environment()...)
}
