// Package procmem runs a command and reads its peak memory from /proc
// while it runs, for the benchmarks that report what a tool holds.
package procmem

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Peak is a process's peak resident memory in KiB: all of it (VmHWM, which
// counts the pages of files it maps, such as popvault's archive) and the
// anonymous part (RssAnon: heap and stacks), sampled every 5 ms. Both are
// 0 for a process that ended before the first sample.
type Peak struct{ All, Anon int64 }

// Run runs cmd, its output gathered for the error, and returns its peak
// memory, read from /proc while it runs. The rusage a wait returns will
// not do: Linux counts in it the memory of the process before its exec,
// that is the caller's own.
func Run(cmd *exec.Cmd) (Peak, error) {
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return Peak{}, err
	}
	status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
	var peak Peak
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			b, err := os.ReadFile(status)
			if err == nil {
				for _, line := range strings.Split(string(b), "\n") {
					var kib int64
					if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &kib); err == nil {
						peak.All = max(peak.All, kib)
					} else if _, err := fmt.Sscanf(line, "RssAnon: %d kB", &kib); err == nil {
						peak.Anon = max(peak.Anon, kib)
					}
				}
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	err := cmd.Wait()
	close(stop)
	<-sampled
	if err != nil {
		return Peak{}, fmt.Errorf("%v: %s", err, tail(out.String()))
	}
	return peak, nil
}

func tail(s string) string {
	if len(s) > 500 {
		return "…" + s[len(s)-500:]
	}
	return s
}
