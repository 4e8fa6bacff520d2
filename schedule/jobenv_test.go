package schedule

import (
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestJobEnvironment: what a scheduled job runs with holds where popvault
// keeps its settings, and nothing of the desktop session, so that a check
// run with it finds what the job will find.
func TestJobEnvironment(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Task Scheduler runs a task with the user's own environment")
	}
	t.Setenv("XDG_CONFIG_HOME", "/home/ann/.config-elsewhere")
	t.Setenv("HOME", "/home/ann")
	for _, session := range []string{"DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "DISPLAY", "WAYLAND_DISPLAY"} {
		t.Setenv(session, "from-the-session")
	}
	env := JobEnvironment()
	for _, want := range []string{"XDG_CONFIG_HOME=/home/ann/.config-elsewhere", "HOME=/home/ann", "PATH=/usr/bin:/bin"} {
		if !slices.Contains(env, want) {
			t.Errorf("JobEnvironment lacks %s: %q", want, env)
		}
	}
	for _, kv := range env {
		if strings.Contains(kv, "from-the-session") {
			t.Errorf("JobEnvironment holds the session's %s", kv)
		}
	}
}
