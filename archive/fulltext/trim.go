package fulltext

import (
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
// segments, and so its file's mapping, in place while the advice is given,
// and releases exactly the pages each segment maps: another mapping of a
// file of the same name (a segment of before a reset, recreated under its
// name) is never touched.
func trimSegments(s *scorch.Scorch) {
	r, err := s.Reader()
	if err != nil {
		return
	}
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok || snap == nil { // closed
		return
	}
	defer snap.Close()
	for _, seg := range snap.Segments() {
		// zap's file segments hand out their whole mmap; segments in
		// memory, not yet persisted, have nothing to give back.
		if m, ok := seg.Segment().(interface{ Data() []byte }); ok {
			if _, file := seg.Segment().(interface{ Path() string }); file {
				filemap.ReleaseBytes(m.Data())
			}
		}
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
