package filemap

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ReleaseBytes drops from this process's resident memory the pages of
// b, which must be a whole read-only mapping of a file shared with it (a
// segment's mmap) that the caller keeps mapped meanwhile (a reference): the
// advice reaches exactly b's pages, never a neighbour's, whatever else maps
// the same file.
func ReleaseBytes(b []byte) {
	if len(b) == 0 {
		return
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	page := uintptr(os.Getpagesize())
	if start%page != 0 {
		return // not a mapping's start: not ours to advise
	}
	n := (uintptr(len(b)) + page - 1) &^ (page - 1)
	unix.Syscall(unix.SYS_MADVISE, start, n, unix.MADV_DONTNEED)
}

// ReleaseMapping drops from this process's resident memory the pages of
// the one mapping of the file at path that begins at address start, as
// the kernel's list of the process's mappings gives its end. The caller
// keeps that mapping in place meanwhile (bbolt's mmap lock): another
// mapping of the same file, or one that was there before, is left alone.
// Only for read-only mappings shared with the file: the pages come back
// from it.
func ReleaseMapping(path string, start uintptr) {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		// start-end perms offset dev inode path (paths with spaces: the rest)
		fields := strings.SplitN(s.Text(), " ", 6)
		if len(fields) < 6 || strings.TrimLeft(fields[5], " ") != path {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		from, err1 := strconv.ParseUint(lo, 16, 64)
		to, err2 := strconv.ParseUint(hi, 16, 64)
		if ok && err1 == nil && err2 == nil && uintptr(from) == start && to > from && fields[1] == "r--s" {
			unix.Syscall(unix.SYS_MADVISE, start, uintptr(to-from), unix.MADV_DONTNEED)
			return
		}
	}
}
