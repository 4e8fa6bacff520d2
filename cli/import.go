package cli

import (
	"context"
	"errors"
	"fmt"
)

// importCmd reads an mbox or a Maildir into the archive, each message
// once, and indexes it for search unless told not to.
func (c *session) importCmd(ctx context.Context, args []string) error {
	fs := c.flags("import")
	format := fs.String("format", "", "mbox or maildir")
	account := fs.String("account", "", "file the messages under this account (default \"imported\")")
	noIndex := fs.Bool("no-index", false, "leave indexing for search to the next search or the window")
	pos, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if *format == "" || len(pos) != 1 {
		return errors.New("import needs --format and one PATH")
	}
	open := c.openSearchable
	if *noIndex {
		open = c.open
	}
	arch, err := open()
	if err != nil {
		return err
	}
	rep, err := arch.Import(*format, pos[0], *account)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Read %d messages: %d added, %d already in the archive.\n", rep.Read, rep.Added, rep.Duplicates)
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
