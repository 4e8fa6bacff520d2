package archive

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.etcd.io/bbolt"
	"golang.org/x/sys/unix"
)

// trim drops the archive's mapped pages from the process's resident
// memory; they stay in the OS's file cache and come back on the next read.
// The archive calls it itself after reading or writing in bulk (a commit
// of a fetch's batch, a page of thousands of records, a count, an export
// or an indexing step), which touches megabytes of the file; callers need
// not know. It is only advice to the kernel: no data changes.
func (a *Archive) trim() {
	// A read transaction holds bbolt's mmap lock, so the mapping cannot
	// move while the advice is given.
	a.db.View(func(tx *bbolt.Tx) error {
		a.trimIn(tx)
		return nil
	})
}

// trimIn is trim within a read transaction the caller holds, for a long
// read that would otherwise keep every page it read. The range comes from
// the kernel's own list of this process's mappings of the file.
func (a *Archive) trimIn(*bbolt.Tx) {
	path, err := filepath.Abs(a.path)
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 6 || fields[len(fields)-1] != path {
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
