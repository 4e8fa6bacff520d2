package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"popvault/archive"
	"popvault/deliver"
	"popvault/fetch"
	"popvault/restore"
	"popvault/transport"
)

// accountDeliver turns an account's delivery into an IMAP mailbox on or
// off. Its flags for the target are restore's, so that a person learns
// them once.
func (c *session) accountDeliver(ctx context.Context, args []string) error {
	fs := c.flags("account deliver")
	name := fs.String("name", "", "the account (required)")
	off := fs.Bool("off", false, "stop delivering; what was delivered stays there")
	var d fetch.Delivery
	security := fs.String("security", "tls", "tls (port 993), starttls (port 143) or plain")
	fs.StringVar(&d.Host, "host", "", "the IMAP server, for example imap.gmail.com (required)")
	fs.IntVar(&d.Port, "port", 0, "the server's port (default: 993 for tls, 143 otherwise)")
	fs.StringVar(&d.CAFile, "ca-file", "", "trust this CA (PEM) too, for a self-hosted server")
	fs.StringVar(&d.User, "user", "", "the user name on the server (required)")
	fs.StringVar(&d.Mailbox, "mailbox", "INBOX", "the mailbox to put mail into: INBOX, or a Gmail label's name")
	fs.BoolVar(&d.Create, "create", false, "make the mailbox if it does not exist")
	fromStdin := fs.Bool("password-stdin", false, "read the server's password (an app password) from standard input's first line")
	fs.StringVar(&d.OAuthAccount, "oauth-account", "", "sign in as this popvault account does (an OAuth account of the same provider and user)")
	var o oauthFlags
	o.register(fs)
	also := fs.Bool("also-archived", false, "also put there what the account archived before now (default: only mail from now on)")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	if err := o.refused(); err != nil {
		return err
	}
	arch, acct, err := c.namedAccount(*name)
	if err != nil {
		return err
	}
	if *off {
		if acct.Deliver == nil {
			fmt.Fprintf(c.stdout, "%s does not deliver anywhere.\n", acct.Name)
			return nil
		}
		was := acct.Deliver
		acct.Deliver = nil
		if err := fetch.SaveAccount(arch, acct); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s no longer puts its mail into %s; what is there stays.\n", acct.Name, was)
		return deliver.Forget(c.credentials(), acct)
	}
	d.Security = transport.Security(*security)
	d.OAuth = o.provider
	switch {
	case d.Host == "" || d.User == "":
		return errors.New("--host and --user are required (see popvault account deliver --help)")
	case *fromStdin && (o.provider != "" || d.OAuthAccount != ""):
		return errors.New("--password-stdin and --oauth: one or the other")
	}
	if d.CAFile != "" {
		if d.CAFile, err = filepath.Abs(d.CAFile); err != nil {
			return err
		}
	}
	if d.Since, err = deliver.Since(arch, acct, time.Now()); err != nil {
		return err
	}
	if was := acct.Deliver; was != nil && deliver.Target(was).Key() == deliver.Target(&d).Key() {
		d.Since = was.Since // the same target: what waits still waits
	}
	acct.Deliver = &d
	if err := acct.Check(); err != nil {
		return err
	}
	pw := passwordFromTerminal
	if *fromStdin {
		pw = passwordFromStdin
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	creds, err := c.restoreCredentials(ctx, arch, deliver.Target(&d), pw, d.OAuthAccount, o, deliver.SignInAccount(acct))
	if err != nil {
		return err
	}
	// Signed in and the mailbox found (or made) before anything is
	// saved: a fetch will not find out first.
	if _, err := restore.Run(ctx, arch, nil, restore.Options{Target: deliver.Target(&d), Credentials: creds, Create: d.Create}); err != nil {
		if c.sayTargetFailure("delivering into "+d.String(), err) {
			return exitStatus(1)
		}
		return fmt.Errorf("%s: %w", &d, err)
	}
	if creds.Password != "" {
		if err := deliver.SetPassword(c.secrets(), acct, creds.Password); err != nil {
			return err
		}
	}
	if err := fetch.SaveAccount(arch, acct); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s now puts the mail it fetches into %s too; it leaves the server only once it is there.\n", acct.Name, &d)
	counts, err := arch.Count()
	if err != nil {
		return err
	}
	if n := counts[acct.Name].Total; n > 0 && !*also {
		fmt.Fprintf(c.stdout, "The %d messages archived before now are not put there; to put them there too, run this again with --also-archived.\n", n)
	}
	if !*also {
		return nil
	}
	svc := c.deliverer(arch)
	bar := newProgressBar(c.terminal)
	svc.Progress = func(_ string, p restore.Progress) { bar.count("delivering", p.Done+p.Failed, p.Total) }
	done, total, err := svc.Backlog(ctx, acct)
	bar.clear()
	fmt.Fprintf(c.stdout, "%d of the %d messages archived are in %s.\n", done, total, &d)
	return err
}

// deliverer is the delivery service a fetch hands its accounts' mail to.
func (c *session) deliverer(arch *archive.Archive) *deliver.Service {
	return &deliver.Service{Archive: arch, SignIn: deliver.SignInFrom(arch, c.credentials())}
}
