package render

import (
	"time"

	"golang.org/x/sys/windows"
)

// cpuTime is the processor time this process has used, all threads
// (the garbage collector's too).
func cpuTime() time.Duration {
	var creation, exit, kernel, user windows.Filetime
	if err := windows.GetProcessTimes(windows.CurrentProcess(), &creation, &exit, &kernel, &user); err != nil {
		return 0
	}
	ticks := func(f windows.Filetime) int64 { return int64(f.HighDateTime)<<32 | int64(f.LowDateTime) } // of 100 ns
	return time.Duration((ticks(kernel) + ticks(user)) * 100)
}
