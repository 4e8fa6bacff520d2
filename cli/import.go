package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"popvault/archive"
)

// importCmd reads mbox files, Maildirs and .eml files (or folders of
// them) into the archive, each message once, and indexes it for search
// unless told not to. Without --format each PATH's format is told from
// what it is. A failed import that created the archive removes it again:
// a mistyped path must not leave an empty archive behind, which the next
// command would take for the real one.
func (c *session) importCmd(ctx context.Context, args []string) error {
	fs := c.flags("import")
	format := fs.String("format", "", "mbox, maildir or eml; without it, told from each PATH")
	account := fs.String("account", "", "file the messages under this account (default \"imported\")")
	noIndex := fs.Bool("no-index", false, "leave indexing for search to the next search or the window")
	pos, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return errors.New("import needs a PATH: an mbox file, a Maildir, or .eml files or a folder of them")
	}
	// Every PATH is checked before the archive is opened (or made).
	formats := make([]string, len(pos))
	for i, p := range pos {
		formats[i] = *format
		if formats[i] == "" {
			if formats[i], err = archive.DetectFormat(p); err != nil {
				return fmt.Errorf("%w (or say which with --format)", err)
			}
		} else if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("import: %w", err)
		}
	}
	path := c.path()
	_, statErr := os.Stat(path)
	_, dirErr := os.Stat(filepath.Dir(path))
	open := c.openSearchable
	if *noIndex {
		open = c.open
	}
	arch, err := open()
	if err != nil {
		return err
	}
	var total archive.ImportReport
	for i, p := range pos {
		rep, err := arch.Import(formats[i], p, *account)
		total.Read += rep.Read
		total.Added += rep.Added
		total.Duplicates += rep.Duplicates
		if err != nil {
			if errors.Is(statErr, os.ErrNotExist) && total.Added == 0 {
				c.close()
				removeNew(path, errors.Is(dirErr, os.ErrNotExist))
			}
			return err
		}
	}
	fmt.Fprintf(c.stdout, "Read %d messages: %d added, %d already in the archive.\n", total.Read, total.Added, total.Duplicates)
	if *noIndex {
		return nil
	}
	// Searchable when the command ends: the first search after a large
	// import would otherwise index it first. Interrupted, the index goes
	// on at the next search or in the window.
	ctx, stop := interruptible(ctx)
	defer stop()
	err = c.indexing(arch, func() error { return arch.SearchIndex().Wait(ctx) })
	if ctx.Err() != nil {
		fmt.Fprintln(c.stderr, "popvault: indexing for search stopped; it goes on at the next search, or in the window")
		return nil
	}
	return err
}

// removeNew removes an archive this command made, its search index, and
// its folder when the command made that too.
func removeNew(path string, madeDir bool) {
	os.Remove(path)
	os.RemoveAll(archive.SearchDir(path))
	if madeDir {
		os.Remove(filepath.Dir(path)) // only if empty: never another file
	}
}
