package filemap

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Release drops from this process's resident memory the pages of every
// mapping of a file whose absolute path match accepts, as the kernel's
// list of the process's mappings names them. The caller keeps those
// mappings in place meanwhile (a lock, a reference), since advice given
// to an address the file no longer holds would reach whatever is mapped
// there now. Only for read-only mappings shared with the file: the pages
// come back from it.
func Release(match func(path string) bool) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		// start-end perms offset dev inode path (paths with spaces: the rest)
		fields := strings.SplitN(s.Text(), " ", 6)
		if len(fields) < 6 {
			continue
		}
		path := strings.TrimLeft(fields[5], " ")
		if !strings.HasPrefix(path, "/") || !match(path) {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if ok && err1 == nil && err2 == nil && end > start {
			unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_DONTNEED)
		}
	}
}
