//go:build !unix && !windows

package render

import "time"

// cpuTime is not measured here: benchmarks report the clock's time only.
func cpuTime() time.Duration { return 0 }
