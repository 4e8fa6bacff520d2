package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"popvault/archive"
	"popvault/fetch"
)

// open opens the archive, creating its folder, without the full-text
// index. A command that only stores, reads or exports has no use for it:
// indexing beside a fetch would only take memory for work that its exit
// then cuts short. The archive still records every change in the same
// commits, so the next popvault that searches (list --search, the window)
// catches up.
func (c *session) open() (*archive.Archive, error) {
	return c.openWith(&archive.Options{NoFullText: true})
}

// openSearchable opens the archive with its full-text index, for the
// commands that search, rebuild or verify it.
func (c *session) openSearchable() (*archive.Archive, error) {
	return c.openWith(nil)
}

// openFor opens the archive for a command that lists what search
// matches: with no search, as open does; with one, searchable, and with
// every message indexed first (mail fetched from the command line is
// indexed by the next popvault that searches: this one, now), saying so
// while it takes.
func (c *session) openFor(ctx context.Context, search string) (*archive.Archive, error) {
	if search == "" {
		return c.open()
	}
	arch, err := c.openSearchable()
	if err != nil {
		return nil, err
	}
	return arch, c.indexing(arch, func() error { return arch.SearchIndex().Wait(ctx) })
}

func (c *session) openWith(opts *archive.Options) (*archive.Archive, error) {
	if c.arch != nil {
		return c.arch, nil
	}
	if c.env.Archive != nil {
		c.arch = c.env.Archive
		return c.arch, nil
	}
	path := c.path()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	a, err := archive.Open(path, opts)
	if err != nil {
		return nil, err
	}
	c.arch = a
	return a, nil
}

// path is the archive's: --archive, else $POPVAULT_ARCHIVE, else the
// default.
func (c *session) path() string {
	switch {
	case c.archivePath != "":
		return c.archivePath
	case c.env.Getenv("POPVAULT_ARCHIVE") != "":
		return c.env.Getenv("POPVAULT_ARCHIVE")
	}
	return archive.DefaultPath()
}

func (c *session) close() {
	if c.arch != nil && c.arch != c.env.Archive {
		c.arch.Close()
		c.arch = nil
	}
}

// namedAccount opens the archive and loads the account --name names, for
// the commands that change one account.
func (c *session) namedAccount(name string) (*archive.Archive, fetch.Account, error) {
	if name == "" {
		return nil, fetch.Account{}, errors.New("--name is required")
	}
	arch, err := c.open()
	if err != nil {
		return nil, fetch.Account{}, err
	}
	a, err := fetch.LoadAccount(arch, name)
	if err != nil {
		return nil, fetch.Account{}, err
	}
	return arch, a, nil
}

// allAccounts opens the archive and loads every account in it.
func (c *session) allAccounts() (*archive.Archive, []fetch.Account, error) {
	arch, err := c.open()
	if err != nil {
		return nil, nil, err
	}
	accts, err := fetch.LoadAccounts(arch)
	if err != nil {
		return nil, nil, err
	}
	return arch, accts, nil
}
