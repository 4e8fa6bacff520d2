package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"popvault/archive"
	"popvault/fetch"
)

const usage = `popvault downloads POP3 mail into a local archive.

Usage:
  popvault                         open the window
  popvault --demo                  open the window on a demo mailbox
  popvault [--archive PATH] COMMAND [flags]

Commands:
  account add --name N --host H [--port P] [--security tls|starttls|plain] [--ca-file PEM]
              --user U [--password-stdin] [--keep=true|false] [--delete-after-days D] [--timeout 60s]
  account list
  account remove --name N [--keep-mail=true|false]
  fetch [--account N]... [--quiet]
                                 all accounts when none is named; progress and a line per
                                 account on stderr; --quiet prints failures only (for cron)
  list [--account N] [--search Q] [--limit N] [--json]
  show ID [--raw]                --raw writes the stored bytes unchanged
  reindex                        rebuild the full-text search index from the archive
  export --format mbox|maildir|eml --out PATH [--account N]
  import --format mbox|maildir PATH [--account N]
  verify

Search (list --search, and the window's search box) finds every word, in
sender, recipients, subject, body or attachment names, newest first:
  word  "exact phrase"  -word  from:ann  to:bob  subject:invoice  filename:pdf
  has:attachment  after:2024-01-31  before:2024/06  newer_than:7d  older_than:1y
  account:NAME

The archive is $POPVAULT_ARCHIVE, or else ` + "%s" + `.
Run "popvault COMMAND --help" for a command's flags.
`

// run dispatches a command line; every error it returns is one line.
func run(args []string) error {
	global := flag.NewFlagSet("popvault", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	archivePath := global.String("archive", "", "archive file")
	demo := global.Bool("demo", false, "open the window on a demo mailbox served from inside the app")
	if err := global.Parse(args); err != nil {
		return fmt.Errorf("%w (see popvault help)", err)
	}
	if *demo {
		return runDemo()
	}
	args = global.Args()
	if len(args) == 0 {
		return runWindow(*archivePath)
	}
	c := &cli{archivePath: *archivePath, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	defer c.close() // whichever command opened the archive
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "account":
		if len(rest) == 0 {
			return errors.New("account needs add, list or remove")
		}
		switch rest[0] {
		case "add":
			return c.accountAdd(rest[1:])
		case "list":
			return c.accountList(rest[1:])
		case "remove":
			return c.accountRemove(rest[1:])
		}
		return fmt.Errorf("unknown account command %q", rest[0])
	case "fetch":
		return c.fetch(rest)
	case "list":
		return c.list(rest)
	case "show":
		return c.show(rest)
	case "export":
		return c.export(rest)
	case "import":
		return c.importCmd(rest)
	case "verify":
		return c.verify(rest)
	case "reindex":
		return c.reindex(rest)
	case "help", "-h", "--help":
		fmt.Fprintf(c.stdout, usage, archive.DefaultPath())
		return nil
	}
	return fmt.Errorf("unknown command %q (see popvault help)", cmd)
}

// cli carries what every command needs.
type cli struct {
	archivePath string
	stdin       io.Reader
	stdout      io.Writer
	stderr      io.Writer
	arch        *archive.Archive
	keys        fetch.Secrets
}

// flags returns a flag set that also takes --archive, wherever it is given.
func (c *cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.StringVar(&c.archivePath, "archive", c.archivePath, "archive file")
	return fs
}

// parse parses flags that may come before or after positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

var errHelp = errors.New("help shown")

// open opens the archive, creating its folder, without the full-text
// index. A command that only stores, reads or exports has no use for it:
// indexing beside a fetch only took memory (a 20,000-message fetch peaked
// at 300 MB instead of 200) for work that its exit then cut short. The
// archive still records every change in the same commits, so the next
// popvault that searches (list --search, the window) catches up.
func (c *cli) open() (*archive.Archive, error) {
	return c.openWith(&archive.Options{NoFullText: true})
}

// openSearchable opens the archive with its full-text index, for the
// commands that search, rebuild or verify it.
func (c *cli) openSearchable() (*archive.Archive, error) {
	return c.openWith(nil)
}

func (c *cli) openWith(opts *archive.Options) (*archive.Archive, error) {
	if c.arch != nil {
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

func (c *cli) path() string {
	switch {
	case c.archivePath != "":
		return c.archivePath
	case os.Getenv("POPVAULT_ARCHIVE") != "":
		return os.Getenv("POPVAULT_ARCHIVE")
	}
	return archive.DefaultPath()
}

func (c *cli) close() {
	if c.arch != nil {
		c.arch.Close()
		c.arch = nil
	}
}

// secrets is the keyring, or where there is none a file in the user's
// config folder; popvault 1's file beside the archive is still read.
func (c *cli) secrets() fetch.Secrets {
	if c.keys == nil {
		c.keys = fetch.NewSecrets(fetch.SecretsOptions{
			OldFile: filepath.Join(filepath.Dir(c.path()), "secrets.json"),
			Warn:    func(msg string) { fmt.Fprintln(c.stderr, "popvault: note:", msg) },
		})
	}
	return c.keys
}

// oneLine keeps an error to one line, as scripts expect.
func oneLine(err error) string {
	if errors.Is(err, errHelp) {
		return "see the flags above"
	}
	return strings.Join(strings.Fields(err.Error()), " ")
}
