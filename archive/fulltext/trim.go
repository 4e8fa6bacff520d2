package fulltext

import (
	"path/filepath"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"popvault/internal/filemap"
)

// Trim gives back the pages of the index's files that reads left in this
// process's memory (bleve maps each segment file whole). The index does
// it itself after opening, after each search and after each merge, the
// reads that touch megabytes of it; callers need not know.
func (x *Index) Trim() { trim(x.current()) }

func trim(idx bleve.Index) {
	if s, err := idx.Advanced(); err == nil {
		if s, ok := s.(*scorch.Scorch); ok {
			trimSegments(s)
		}
	}
}

// trimSegments pins the index's current snapshot, which keeps each of its
// segment files mapped in place while the advice is given, and releases
// the pages of those files.
func trimSegments(s *scorch.Scorch) {
	r, _ := s.Reader()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok || snap == nil { // closed
		return
	}
	defer snap.Close()
	files := make(map[string]bool)
	for _, seg := range snap.Segments() {
		if f, ok := seg.Segment().(interface{ Path() string }); ok && f.Path() != "" {
			if abs, err := filepath.Abs(f.Path()); err == nil {
				files[abs] = true
			}
		}
	}
	if len(files) > 0 {
		filemap.Release(func(path string) bool { return files[path] })
	}
}

// A merge reads every page of the segments it joins; the merger calls
// this after each round of merges.
const eventCallback = "popvault_trim"

func init() {
	scorch.RegistryEventCallbacks[eventCallback] = func(e scorch.Event) bool {
		if e.Kind == scorch.EventKindMergerProgress {
			trimSegments(e.Scorch)
		}
		return true
	}
}
