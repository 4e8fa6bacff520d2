// Package filemap gives back the pages of files mapped into this process
// (bbolt's archive file, bleve's index segments): after a long read they
// count in the process's resident memory until unmapped, although they
// are the system's file cache, which keeps them and brings them back on
// the next read without touching the disk. Giving them back is advice to
// the kernel only: no data changes.
package filemap
