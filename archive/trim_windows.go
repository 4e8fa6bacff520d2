package archive

import (
	"errors"
	"unsafe"

	"go.etcd.io/bbolt"
	"golang.org/x/sys/windows"
)

var errFound = errors.New("found")

// memMapped is MEMORY_BASIC_INFORMATION's Type for a file's view (winnt.h's
// MEM_MAPPED, which x/sys/windows does not name).
const memMapped = 0x40000

// trim drops the archive's mapped pages from the process's working set,
// as trim_linux.go does with madvise; they stay in the system's standby
// list and come back on the next read without touching the disk. bbolt
// does not say where it mapped the file, but a read transaction's bucket
// names point into the mapping: VirtualQuery gives the whole view from
// there, and VirtualUnlock on pages that are not locked takes them out of
// the working set (documented for VirtualUnlock; it then reports
// ERROR_NOT_LOCKED, which is expected). It is only advice: no data
// changes.
func (a *Archive) trim() {
	a.db.View(func(tx *bbolt.Tx) error {
		a.trimIn(tx)
		return nil
	})
}

// trimIn is trim within a read transaction the caller holds.
func (a *Archive) trimIn(tx *bbolt.Tx) {
	var inside uintptr
	tx.ForEach(func(name []byte, _ *bbolt.Bucket) error {
		inside = uintptr(unsafe.Pointer(unsafe.SliceData(name)))
		return errFound
	})
	if inside == 0 {
		return
	}
	var info windows.MemoryBasicInformation
	if windows.VirtualQuery(inside, &info, unsafe.Sizeof(info)) != nil || info.Type != memMapped {
		return
	}
	view := info.AllocationBase
	for addr := view; ; addr = info.BaseAddress + info.RegionSize {
		if windows.VirtualQuery(addr, &info, unsafe.Sizeof(info)) != nil || info.AllocationBase != view {
			return
		}
		if info.State == windows.MEM_COMMIT {
			windows.VirtualUnlock(info.BaseAddress, info.RegionSize)
		}
	}
}
