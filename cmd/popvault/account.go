package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"popvault/fetch"
)

func (c *cli) accountAdd(args []string) error {
	fs := c.flags("account add")
	var a fetch.Account
	var security, timeout string
	fs.StringVar(&a.Name, "name", "", "account name (required)")
	fs.StringVar(&a.Email, "email", "", "e-mail address")
	fs.StringVar(&a.Host, "host", "", "POP3 server (required)")
	fs.IntVar(&a.Port, "port", 0, "port (default 995 for tls, 110 otherwise)")
	fs.StringVar(&security, "security", "tls", "tls, starttls or plain (plain sends the password unencrypted)")
	fs.StringVar(&a.CAFile, "ca-file", "", "a PEM file of extra trusted certificates, for self-hosted servers")
	fs.StringVar(&a.User, "user", "", "user name (required)")
	stdinPass := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	fs.BoolVar(&a.KeepOnServer, "keep", true, "keep mail on the server after download")
	fs.IntVar(&a.DeleteAfterDays, "delete-after-days", 0, "with --keep, delete from the server this many days after download")
	fs.StringVar(&timeout, "timeout", "60s", "give up after this long without a reply")
	fs.IntVar(&a.CheckEveryMinutes, "check-every", 0, "minutes between automatic checks in the window (0: off)")
	fs.StringVar(&a.TokenCommand, "token-command", "", "use XOAUTH2 with the token this command prints, instead of a password")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	a.Security = fetch.Security(security)
	d, err := time.ParseDuration(timeout)
	if err != nil {
		return fmt.Errorf("--timeout: %w", err)
	}
	a.Timeout = fetch.Duration(d)
	if a.CAFile != "" {
		// A later fetch may run in another folder.
		if a.CAFile, err = filepath.Abs(a.CAFile); err != nil {
			return fmt.Errorf("--ca-file: %w", err)
		}
	}
	if err := a.Validate(); err != nil {
		return err
	}
	arch, err := c.open()
	if err != nil {
		return err
	}
	if _, err := fetch.LoadAccount(arch, a.Name); err == nil {
		return fmt.Errorf("an account named %q exists; remove it first", a.Name)
	}
	if a.TokenCommand != "" {
		if err := fetch.NewTokenCommands("").Set(a.Name, a.TokenCommand); err != nil {
			return fmt.Errorf("storing the token command: %w", err)
		}
	} else {
		password, err := c.readPassword(a.Name, *stdinPass)
		if err != nil {
			return err
		}
		if err := c.secrets().Set(a.Name, password); err != nil {
			return fmt.Errorf("storing the password: %w", err)
		}
	}
	if err := fetch.SaveAccount(arch, a); err != nil {
		return err
	}
	if a.Security == fetch.SecurityPlain {
		fmt.Fprintln(c.stderr, "popvault: warning: this account sends its password unencrypted")
	}
	fmt.Fprintf(c.stdout, "Added %s. %s\n", a.Name, a.Describe())
	if !a.TokenAuth {
		fmt.Fprintln(c.stdout, fetch.Where(c.secrets()))
	}
	return nil
}

// readPassword takes the password from stdin's first line, or asks for it
// without echo on a terminal.
func (c *cli) readPassword(name string, fromStdin bool) (string, error) {
	if fromStdin {
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

func (c *cli) accountList(args []string) error {
	if _, err := parse(c.flags("account list"), args); err != nil {
		return err
	}
	arch, err := c.open()
	if err != nil {
		return err
	}
	accts, err := fetch.LoadAccounts(arch)
	if err != nil {
		return err
	}
	counts, err := arch.Count()
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tSERVER\tSECURITY\tON SERVER\tMESSAGES\tUNREAD")
	for _, a := range accts {
		policy := "keep"
		switch {
		case !a.KeepOnServer:
			policy = "delete"
		case a.DeleteAfterDays > 0:
			policy = fmt.Sprintf("delete after %d days", a.DeleteAfterDays)
		}
		fmt.Fprintf(w, "%s\t%s@%s:%d\t%s\t%s\t%d\t%d\n", a.Name, a.User, a.Host, a.Port, a.Security, policy, counts[a.Name].Total, counts[a.Name].Unread)
	}
	return w.Flush()
}

func (c *cli) accountRemove(args []string) error {
	fs := c.flags("account remove")
	name := fs.String("name", "", "account name (required)")
	keepMail := fs.Bool("keep-mail", true, "keep the account's messages in the archive")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return errors.New("--name is required")
	}
	arch, err := c.open()
	if err != nil {
		return err
	}
	if err := arch.RemoveAccount(*name, *keepMail); err != nil {
		return err
	}
	if err := errors.Join(c.secrets().Delete(*name), fetch.NewTokenCommands("").Delete(*name)); err != nil {
		return fmt.Errorf("removed %s from the archive, but its password could not be deleted: %w", *name, err)
	}
	fmt.Fprintf(c.stdout, "Removed %s.\n", *name)
	return nil
}
