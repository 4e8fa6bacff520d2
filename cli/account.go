package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"popvault/archive"
	"popvault/credentials"
	"popvault/deliver"
	"popvault/fetch"
)

// accountFlags are the settings account add and account edit take.
type accountFlags struct {
	acct          fetch.Account
	security      string
	timeout       string
	passwordStdin bool
	askPassword   bool
	oauth         oauthFlags
}

func (c *session) accountFlagSet(name string, f *accountFlags) *flag.FlagSet {
	fs := c.flags(name)
	a := &f.acct
	fs.StringVar(&a.Name, "name", "", "account name (required)")
	fs.StringVar(&a.Email, "email", "", "e-mail address")
	fs.StringVar(&a.Host, "host", "", "POP3 server (required)")
	fs.IntVar(&a.Port, "port", 0, "port (default 995 for tls, 110 otherwise)")
	fs.StringVar(&f.security, "security", "tls", "tls, starttls or plain (plain sends the password unencrypted)")
	fs.StringVar(&a.CAFile, "ca-file", "", "a PEM file of extra trusted certificates, for self-hosted servers")
	fs.StringVar(&a.User, "user", "", "user name (required)")
	fs.BoolVar(&f.passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	fs.BoolVar(&a.KeepOnServer, "keep", true, "keep mail on the server after download")
	fs.IntVar(&a.DeleteAfterDays, "delete-after-days", 0, "with --keep, delete from the server this many days after download")
	fs.StringVar(&f.timeout, "timeout", "60s", "give up after this long without a reply")
	fs.IntVar(&a.CheckEveryMinutes, "check-every", 0, "minutes between automatic checks in the window (0: off)")
	fs.StringVar(&a.TokenCommand, "token-command", "", "sign in with XOAUTH2, with the access token this command prints, instead of a password (kept on this machine, not in the archive)")
	return fs
}

// settle turns the flags' text into settings: the security mode, the
// timeout, and a CA file's full path (a later fetch may run elsewhere).
func (f *accountFlags) settle() error {
	f.acct.Security = fetch.Security(f.security)
	d, err := time.ParseDuration(f.timeout)
	if err != nil {
		return fmt.Errorf("--timeout: %w", err)
	}
	f.acct.Timeout = fetch.Duration(d)
	if f.acct.CAFile != "" {
		abs, err := filepath.Abs(f.acct.CAFile)
		if err != nil {
			return fmt.Errorf("--ca-file: %w", err)
		}
		if _, err := os.Stat(abs); err != nil {
			return fmt.Errorf("--ca-file: %w", err)
		}
		f.acct.CAFile = abs
	}
	return nil
}

func (c *session) accountAdd(ctx context.Context, args []string) error {
	var f accountFlags
	fs := c.accountFlagSet("account add", &f)
	f.oauth.register(fs)
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	if err := f.oauth.refused(); err != nil {
		return err
	}
	if err := f.settle(); err != nil {
		return err
	}
	a := f.acct
	a.ID = fetch.NewAccountID() // what it signs in with is kept under it
	a.OAuth = f.oauth.provider
	if a.OAuth != "" {
		oauthDefaults(&a)
	}
	a = a.WithDefaults()
	if err := a.Check(); err != nil {
		return err
	}
	arch, err := c.open()
	if err != nil {
		return err
	}
	if _, err := fetch.LoadAccount(arch, a.Name); err == nil {
		return fmt.Errorf("an account named %q exists: change it with popvault account edit", a.Name)
	}
	if a.OAuth != "" {
		client, err := f.oauth.client(c.oauthStore(), a, c.stdin)
		if err != nil {
			return err
		}
		if err := c.signIn(ctx, a, hint(a), client, f.oauth.noBrowser); err != nil {
			return err
		}
	} else if err := c.storeCredential(a, f.newPassword(passwordFromTerminal)); err != nil {
		return err
	}
	if err := fetch.AddAccount(arch, a); err != nil {
		// Kept under the new account's id, what was just stored is no
		// one's now.
		return errors.Join(err, c.credentials().Forget(a))
	}
	if a.Security == fetch.SecurityPlain {
		fmt.Fprintln(c.stderr, "popvault: warning: this account sends its password unencrypted")
	}
	fmt.Fprintf(c.stdout, "Added %s. %s\n", a.Name, a.Describe())
	switch {
	case a.OAuth != "":
		fmt.Fprintln(c.stdout, strings.Replace(c.oauthStore().Where(), "The password is", "The sign-in is", 1))
	case !a.TokenAuth:
		fmt.Fprintln(c.stdout, credentials.Where(c.secrets()))
	}
	return nil
}

// passwordSource is where a command reads a password.
type passwordSource int

const (
	keepPassword         passwordSource = iota // none is read: the one kept stays
	passwordFromStdin                          // --password-stdin: the first line of standard input
	passwordFromTerminal                       // asked for, without echo, on the terminal
)

// newPassword is where the flags say to read the account's password:
// standard input with --password-stdin, else the terminal with
// --ask-password, else otherwise.
func (f *accountFlags) newPassword(otherwise passwordSource) passwordSource {
	switch {
	case f.passwordStdin:
		return passwordFromStdin
	case f.askPassword:
		return passwordFromTerminal
	}
	return otherwise
}

// storeCredential keeps the account's token command on this machine, or
// its password in the keyring, read from src.
func (c *session) storeCredential(a fetch.Account, src passwordSource) error {
	if a.TokenCommand != "" {
		if err := credentials.NewTokenCommands("").Set(a, a.TokenCommand); err != nil {
			return fmt.Errorf("storing the token command: %w", err)
		}
		return nil
	}
	if src == keepPassword {
		return nil
	}
	password, err := c.readPassword(a.Name, src)
	if err != nil {
		return err
	}
	if err := credentials.SetPassword(c.secrets(), a, password); err != nil {
		return fmt.Errorf("storing the password: %w", err)
	}
	return nil
}

// accountEdit changes the settings given and keeps the rest, the
// password and the account's record of what it has fetched, so nothing
// is downloaded again.
func (c *session) accountEdit(args []string) error {
	var f accountFlags
	fs := c.accountFlagSet("account edit", &f)
	fs.BoolVar(&f.askPassword, "ask-password", false, "ask for a new password on the terminal")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	if f.acct.Name == "" {
		return errors.New("--name is required")
	}
	arch, err := c.open()
	if err != nil {
		return err
	}
	a, err := fetch.LoadAccount(arch, f.acct.Name)
	if err != nil {
		return err
	}
	before := a
	if err := f.settle(); err != nil {
		return err
	}
	var bad error
	fs.Visit(func(fl *flag.Flag) {
		n := f.acct
		switch fl.Name {
		case "email":
			a.Email = n.Email
		case "host":
			a.Host = n.Host
		case "port":
			a.Port = n.Port
		case "security":
			if !isSet(fs, "port") && a.Port == fetch.DefaultPort(a.Security) {
				a.Port = 0 // follows the new mode's default
			}
			a.Security = n.Security
		case "ca-file":
			a.CAFile = n.CAFile
		case "user":
			a.User = n.User
		case "keep":
			a.KeepOnServer = n.KeepOnServer
		case "delete-after-days":
			a.DeleteAfterDays = n.DeleteAfterDays
		case "timeout":
			a.Timeout = n.Timeout
		case "check-every":
			a.CheckEveryMinutes = n.CheckEveryMinutes
		case "token-command":
			a.TokenCommand = n.TokenCommand
			if n.TokenCommand == "" {
				bad = errors.New("--token-command needs a command (to sign in with a password instead, give --password-stdin)")
			}
		}
	})
	if bad != nil {
		return bad
	}
	switchToPassword := a.TokenAuth && (f.passwordStdin || f.askPassword) && !isSet(fs, "token-command")
	if switchToPassword {
		a.TokenAuth = false
	}
	a = a.WithDefaults()
	if err := a.Check(); err != nil {
		return err
	}
	if err := c.storeCredential(a, f.newPassword(keepPassword)); err != nil {
		return err
	}
	if err := fetch.SaveAccount(arch, a); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Changed %s. %s\n", a.Name, a.Describe())
	// Only once the account says it signs in another way: what it signed
	// in with before is then no one's.
	if err := c.credentials().ForgetReplaced(before, a); err != nil {
		return fmt.Errorf("changed %s, but what it signed in with before is still on this machine (%w): run this edit again once that is mended", a.Name, err)
	}
	return nil
}

// readPassword takes the password from stdin's first line, or asks for it
// without echo on a terminal.
func (c *session) readPassword(name string, src passwordSource) (string, error) {
	if src == passwordFromStdin {
		line, err := bufio.NewReader(c.stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", errors.New("--password-stdin: nothing on standard input")
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	f, ok := c.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", errors.New("no password: pass --password-stdin and write it to standard input")
	}
	fmt.Fprintf(c.stderr, "Password for %s: ", name)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(c.stderr)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func (c *session) accountList(args []string) error {
	if _, err := c.parse(c.flags("account list"), args); err != nil {
		return err
	}
	arch, accts, err := c.allAccounts()
	if err != nil {
		return err
	}
	counts, err := arch.Count()
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tSERVER\tSECURITY\tON SERVER\tMESSAGES\tUNREAD\tDELIVERS INTO")
	for _, a := range accts {
		policy := "keep"
		switch {
		case !a.KeepOnServer:
			policy = "delete"
		case a.DeleteAfterDays > 0:
			policy = fmt.Sprintf("delete after %d days", a.DeleteAfterDays)
		}
		into := "-"
		if a.Deliver != nil {
			into = a.Deliver.User + ": " + a.Deliver.String()
		}
		fmt.Fprintf(w, "%s\t%s@%s:%d\t%s\t%s\t%d\t%d\t%s\n", a.Name, a.User, a.Host, a.Port, a.Security, policy, counts[a.Name].Total, counts[a.Name].Unread, into)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	for _, a := range accts {
		// What the delivery target refuses for good, below the table.
		n, err := deliver.Note(arch, a)
		if err != nil {
			return err
		}
		if n != "" {
			fmt.Fprintf(c.stdout, "%s: %s\n", a.Name, n)
		}
	}
	return nil
}

func (c *session) accountRemove(args []string) error {
	fs := c.flags("account remove")
	name := fs.String("name", "", "account name (required)")
	keepMail := fs.Bool("keep-mail", true, "keep the account's messages in the archive")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	arch, a, err := c.namedAccount(*name)
	if err != nil {
		return err
	}
	mail := archive.DeleteMail
	if *keepMail {
		mail = archive.KeepMail
	}
	if err := arch.Account(*name).Remove(mail); err != nil {
		return err
	}
	if err := errors.Join(c.credentials().Forget(a), deliver.Forget(c.credentials(), a)); err != nil {
		return fmt.Errorf("removed %s from the archive, but not everything it signed in with could be deleted from this machine: %w", *name, err)
	}
	fmt.Fprintf(c.stdout, "Removed %s.\n", *name)
	return nil
}

// credentials are the places this machine keeps what accounts sign in
// with.
func (c *session) credentials() *credentials.Store {
	return &credentials.Store{Passwords: c.secrets(), TokenCommands: credentials.NewTokenCommands(""), OAuth: c.oauthStore()}
}
