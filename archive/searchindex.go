package archive

import (
	"context"
	"os"
	"path/filepath"
)

// SearchIndex is the archive's full-text index (archive/fulltext), kept
// in a folder beside the file (SearchDir) and brought up to date in the
// background as messages are stored, changed and deleted. List searches
// it; these methods are its life: starting it, waiting for it, asking how
// far it is, rebuilding it. Without it (Options.NoFullText, or a read-only
// open) they return ErrNoFullText.
type SearchIndex struct {
	a *Archive
}

// SearchIndex returns the archive's full-text index.
func (a *Archive) SearchIndex() SearchIndex { return SearchIndex{a: a} }

// Wait returns once everything stored or changed before the call is
// searchable, or when ctx ends.
func (x SearchIndex) Wait(ctx context.Context) error {
	a := x.a
	if a.text == nil {
		return ErrNoFullText
	}
	return a.text.wait(ctx)
}

// Status says how many messages are not yet searchable (as of the
// indexer's last look), and why indexing last failed, if it did.
func (x SearchIndex) Status() (left int, err error) {
	a := x.a
	if a.text == nil {
		return 0, ErrNoFullText
	}
	return a.text.status()
}

// Searchable is how many messages the full-text index holds now; it
// starts no indexing.
func (x SearchIndex) Searchable() (int, error) {
	a := x.a
	if a.text == nil {
		return 0, ErrNoFullText
	}
	ix, err := a.text.index()
	if err != nil {
		return 0, err
	}
	n, err := ix.DocCount()
	return int(n), err
}

// Size is the index's size on disk in bytes.
func (x SearchIndex) Size() int64 {
	var n int64
	filepath.WalkDir(SearchDir(x.a.path), func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// Start opens the index and brings it up to date in the background: the
// window calls it at start.
func (x SearchIndex) Start() {
	a := x.a
	if a.text != nil {
		a.text.notify()
	}
}

// Rebuild empties the index and rebuilds it from the archive. It returns
// when done or when ctx ends; the rebuild then goes on in the background
// while the archive stays open, and at the next open if not.
func (x SearchIndex) Rebuild(ctx context.Context) error {
	t := x.a.text
	if t == nil {
		return ErrNoFullText
	}
	t.stop()
	ix, err := t.index()
	if err == nil {
		err = ix.Reset()
	}
	t.mark = 0
	t.start()
	if err != nil {
		return wrapErr("reindex", err)
	}
	return t.wait(ctx)
}
