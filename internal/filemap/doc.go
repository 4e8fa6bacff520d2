// Package filemap gives back the pages of files mapped into this process
// (bbolt's archive file, bleve's index segments): after a long read they
// count in the process's resident memory until unmapped, although they
// are the system's file cache, which keeps them and brings them back on
// the next read without touching the disk. Giving them back is advice to
// the kernel only: no data changes, as long as the advice reaches only
// the caller's own read-only shared mapping. A file's name is not enough
// to find it: a search index recreates its segment files under the same
// names, and a private, written mapping of a file would lose its writes.
// So the caller names its mapping exactly: the bytes it maps
// (ReleaseBytes), or the address it begins at (ReleaseMapping).
package filemap
