package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"popvault/archive"
	"popvault/credentials"
	"popvault/internal/termtext"
)

// baseVersion matches FyneApp.toml's (a test checks).
const baseVersion = "0.1.0"

// version is the release's version, set by make release from git describe
// (-ldflags -X main.version=...); a plain go build leaves it empty.
var version string

const usage = `popvault downloads POP3 mail into a local archive.

Usage:
  popvault                         open the window
  popvault --demo                  open the window on a demo mailbox
  popvault --version               print the version
  popvault [--archive PATH] COMMAND [flags]

Commands:
  account add --name N --host H [--port P] [--security tls|starttls|plain] [--ca-file PEM]
              --user U [--email ADDRESS] [--password-stdin | --token-command CMD]
              [--keep=true|false] [--delete-after-days D] [--check-every MINUTES] [--timeout 60s]
  account add --name N --email ADDRESS --oauth google|microsoft|custom [--no-browser]
              [--client-secret-file JSON | --client-id ID [--client-secret-stdin]]
              [--auth-url U --token-url U --scope S...]     sign in in a browser, no password
  account edit --name N [any flag of account add] [--password-stdin | --ask-password]
                                 changes only what is given; what was fetched stays known
  account signin --name N [--no-browser] [the --oauth flags]
                                 sign an OAuth account in again
  account list
  account remove --name N [--keep-mail=true|false]
  fetch [--account N]... [--parallel 4] [--quiet] [--debug]
                                 all accounts when none is named, up to 4 at once (never two
                                 of one server and user); progress and a line per account on
                                 stderr; --quiet prints failures only (for cron); --debug logs
                                 the POP3 conversation, passwords redacted, one account at a time
  list [--account N] [--search Q] [--limit N] [--json]
  show ID [--raw]                --raw writes the stored bytes unchanged
  reindex                        rebuild the full-text search index from the archive
  export --format mbox|maildir|eml --out PATH [--account N]
  import --format mbox|maildir PATH [--account N] [--no-index]
  verify
  completion bash                print bash's completion script (the .deb installs it)
  manpage                        print the manual page, in roff (the .deb installs it)
  restore --host H [--port 993] [--security tls|starttls|plain] [--ca-file PEM] --user U
          [--password-stdin | --oauth google|microsoft|custom ... | --oauth-account N]
          --mailbox NAME [--create] [--account N] [--search Q]
                                 copy the archive, an account's mail or a search's results
                                 into an IMAP mailbox, each message once; run it again to
                                 resume; exit status 1 when any message is not there

--security: tls (port 995) or starttls (port 110) never send a password in
clear; plain does. --oauth signs in with Google, Microsoft or another
provider in a browser (the address is printed too, for a machine without
one); the sign-in is kept in the keyring, not in the archive. A client
secret is read from standard input (--client-secret-stdin), never taken
on the command line, where every user of the machine sees it.
--token-command signs in with XOAUTH2, using the access token the command
prints; the command is kept on this machine, not in the archive.
--check-every sets the window's automatic checks.

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
	c := &cli{stdin: os.Stdin, stdout: termtext.NewWriter(os.Stdout), stderr: termtext.NewWriter(os.Stderr),
		rawStdout: os.Stdout, terminal: os.Stderr}
	return c.run(args)
}

func (c *cli) run(args []string) error {
	global := flag.NewFlagSet("popvault", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&c.archivePath, "archive", "", "archive file")
	demo := global.Bool("demo", false, "open the window on a demo mailbox served from inside the app")
	showVersion := global.Bool("version", false, "print the version")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.printUsage()
			return nil
		}
		return fmt.Errorf("%w (see popvault help)", err)
	}
	if *showVersion {
		fmt.Fprintln(c.stdout, versionLine())
		return nil
	}
	if *demo {
		return runDemo()
	}
	args = global.Args()
	if len(args) == 0 {
		return runWindow(c.path())
	}
	defer c.close() // whichever command opened the archive
	cmd, rest := args[0], args[1:]
	err := c.dispatch(cmd, rest)
	if errors.Is(err, errHelp) {
		return nil // the flag set printed the command's flags
	}
	return err
}

func (c *cli) dispatch(cmd string, rest []string) error {
	switch cmd {
	case "account":
		if len(rest) == 0 {
			return errors.New("account needs add, edit, signin, list or remove")
		}
		switch rest[0] {
		case "add":
			return c.accountAdd(rest[1:])
		case "edit":
			return c.accountEdit(rest[1:])
		case "signin":
			return c.accountSignIn(rest[1:])
		case "list":
			return c.accountList(rest[1:])
		case "remove":
			return c.accountRemove(rest[1:])
		case "-h", "--help", "help":
			c.printUsage()
			return nil
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
	case "restore":
		return c.restoreCmd(rest)
	case "reindex":
		return c.reindex(rest)
	case "completion":
		return c.completionCmd(rest)
	case "manpage":
		return c.manPageCmd(rest)
	case "version":
		fmt.Fprintln(c.stdout, versionLine())
		return nil
	case "help", "-h", "--help":
		c.printUsage()
		return nil
	}
	return fmt.Errorf("unknown command %q (see popvault help)", cmd)
}

func (c *cli) printUsage() { fmt.Fprintf(c.stdout, usage, archive.DefaultPath()) }

// versionLine is the release's version, or else the base version with
// the commit it was built from when Go recorded one.
func versionLine() string {
	if version != "" {
		return "popvault " + version
	}
	line := "popvault " + baseVersion
	if info, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			line += " (" + rev
			if dirty {
				line += ", modified"
			}
			line += ")"
		}
	}
	return line
}

// cli carries what every command needs. stdout and stderr pass text
// through termtext, so that nothing a mail or a server says can act on
// the terminal; rawStdout is for show --raw, and terminal for lines that
// redraw themselves (their own text is cleaned where it is made).
type cli struct {
	archivePath string
	stdin       io.Reader
	stdout      io.Writer
	stderr      io.Writer
	rawStdout   io.Writer
	terminal    io.Writer
	arch        *archive.Archive
	keys        credentials.Secrets
	signins     *credentials.OAuthStore
}

// flags returns a flag set that also takes --archive, wherever it is given.
// It prints nothing itself: parse prints --help, and run the errors.
func (c *cli) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.archivePath, "archive", c.archivePath, "archive file")
	return fs
}

// parse parses flags that may come before or after positional arguments.
// --help prints the command's flags on stdout, and the command then ends
// with errHelp, which run turns into success.
func (c *cli) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(c.stdout, "Usage: popvault %s [flags]\n\nFlags:\n", fs.Name())
				fs.SetOutput(c.stdout)
				fs.PrintDefaults()
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

// errHelp: a command's --help printed its flags; run exits 0.
var errHelp = errors.New("help shown")

// open opens the archive, creating its folder, without the full-text
// index. A command that only stores, reads or exports has no use for it:
// indexing beside a fetch would only take memory for work that its exit
// then cuts short. The archive still records every change in the same
// commits, so the next popvault that searches (list --search, the window)
// catches up.
func (c *cli) open() (*archive.Archive, error) {
	return c.openWith(&archive.Options{NoFullText: true})
}

// openSearchable opens the archive with its full-text index, for the
// commands that search, rebuild or verify it.
func (c *cli) openSearchable() (*archive.Archive, error) {
	return c.openWith(nil)
}

// openFor opens the archive for a command that lists what search
// matches: with no search, as open does; with one, searchable, and with
// every message indexed first (mail fetched from the command line is
// indexed by the next popvault that searches: this one, now), saying so
// while it takes.
func (c *cli) openFor(search string) (*archive.Archive, error) {
	if search == "" {
		return c.open()
	}
	arch, err := c.openSearchable()
	if err != nil {
		return nil, err
	}
	return arch, c.indexing(arch, func() error { return arch.WaitIndexed(context.Background()) })
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
func (c *cli) secrets() credentials.Secrets {
	if c.keys == nil {
		c.keys = credentials.NewSecrets(credentials.SecretsOptions{
			OldFile: filepath.Join(filepath.Dir(c.path()), "secrets.json"),
			Warn:    func(msg string) { fmt.Fprintln(c.stderr, "popvault: note:", msg) },
		})
	}
	return c.keys
}

// oneLine keeps an error to one line, as scripts expect, and safe for
// the terminal: server text and certificate names are in error messages.
func oneLine(err error) string {
	return termtext.Clean(strings.Join(strings.Fields(err.Error()), " "))
}
