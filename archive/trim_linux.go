package archive

import (
	"path/filepath"

	"go.etcd.io/bbolt"

	"popvault/internal/filemap"
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
// read that would otherwise keep every page it read. The advice reaches
// only bbolt's own mapping: the one of the archive's file that begins
// where bbolt says its data is (the transaction keeps it there).
func (a *Archive) trimIn(tx *bbolt.Tx) {
	path, err := filepath.Abs(a.path)
	if err != nil {
		return
	}
	filemap.ReleaseMapping(path, tx.DB().Info().Data)
}
