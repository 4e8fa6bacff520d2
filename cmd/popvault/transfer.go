package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func (c *cli) export(args []string) error {
	fs := c.flags("export")
	format := fs.String("format", "", "mbox, maildir or eml")
	out := fs.String("out", "", "the file (mbox) or folder (maildir, eml) to write")
	account := fs.String("account", "", "only this account's messages")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	if *format == "" || *out == "" {
		return errors.New("export needs --format and --out")
	}
	arch, err := c.open()
	if err != nil {
		return err
	}
	n, err := arch.Export(*format, *out, *account)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Exported %d messages to %s.\n", n, *out)
	return nil
}

func (c *cli) importCmd(args []string) error {
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err = c.indexing(arch, func() error { return arch.WaitIndexed(ctx) })
	if ctx.Err() != nil {
		fmt.Fprintln(c.stderr, "popvault: indexing for search stopped; it goes on at the next search, or in the window")
		return nil
	}
	return err
}

func (c *cli) verify(args []string) error {
	if _, err := c.parse(c.flags("verify"), args); err != nil {
		return err
	}
	arch, err := c.openSearchable()
	if err != nil {
		return err
	}
	rep, err := arch.Verify(nil)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(c.stderr, p)
	}
	if !rep.OK() {
		return fmt.Errorf("%d problems in %d messages", len(rep.Problems), rep.Messages)
	}
	fmt.Fprintf(c.stdout, "OK: %d messages, %s, each matches its SHA-256.\n", rep.Messages, megabytes(rep.Bytes))
	return nil
}
