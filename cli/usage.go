package cli

import (
	"fmt"
	"runtime/debug"

	"popvault/archive"
)

// baseVersion matches FyneApp.toml's (a test checks).
const baseVersion = "0.1.0"

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
  account deliver --name N --host H [--port 993] [--security tls|starttls|plain] [--ca-file PEM]
                  --user U [--mailbox INBOX] [--create] [--also-archived]
                  [--password-stdin | --oauth google|microsoft|custom ... | --oauth-account A]
                                 also put each message the account fetches into this IMAP
                                 mailbox (Gmail's inbox, a label), once; mail leaves the POP
                                 server only once it is there; --also-archived puts what was
                                 archived before there too
  account deliver --name N --off  stop delivering
  account list
  account remove --name N [--keep-mail=true|false]
  fetch [--account N]... [--parallel 4] [--quiet] [--debug]
                                 all accounts when none is named, up to 4 at once (never two
                                 of one server and user); progress and a line per account on
                                 stderr; --quiet prints failures only (for cron); --debug logs
                                 the POP3 conversation, passwords redacted, one account at a time;
                                 accounts that deliver deliver too; exit 1 when any failed
  list [--account N] [--search Q] [--limit N] [--json]
  show ID [--raw]                --raw writes the stored bytes unchanged
  reindex                        rebuild the full-text search index from the archive
  export --format mbox|maildir|eml --out PATH [--account N]
  import [--format mbox|maildir|eml] PATH... [--account N] [--no-index]
                                 mbox files, Maildirs, .eml files or folders of them; the
                                 format is told from each PATH unless --format says it
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

func (c *session) printUsage() { fmt.Fprintf(c.stdout, usage, archive.DefaultPath()) }

// versionLine is the release's version (Env.Version), or else the base
// version with the commit it was built from when Go recorded one.
func (c *session) versionLine() string {
	if c.env.Version != "" {
		return "popvault " + c.env.Version
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
