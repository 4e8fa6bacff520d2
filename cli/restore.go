package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"sync"
	"time"

	"popvault/archive"
	"popvault/bearer"
	"popvault/deliver"
	"popvault/fetch"
	"popvault/health"
	"popvault/restore"
	"popvault/transport"
)

// restoreCmd copies archived mail into an IMAP mailbox.
func (c *session) restoreCmd(ctx context.Context, args []string) error {
	fs := c.flags("restore")
	var t restore.Target
	security := fs.String("security", "tls", "tls (port 993), starttls (port 143) or plain")
	fs.StringVar(&t.Host, "host", "", "the IMAP server (required)")
	fs.IntVar(&t.Port, "port", 0, "the server's port (default: 993 for tls, 143 otherwise)")
	fs.StringVar(&t.CAFile, "ca-file", "", "trust this CA (PEM) too, for a self-hosted server")
	fs.StringVar(&t.User, "user", "", "the user name on the server (required)")
	fs.StringVar(&t.Mailbox, "mailbox", "", "the mailbox to copy into, for example INBOX or Archive/2019 (required)")
	create := fs.Bool("create", false, "make the mailbox if it does not exist")
	fromStdin := fs.Bool("password-stdin", false, "read the password from standard input's first line")
	oauthAccount := fs.String("oauth-account", "", "sign in as this popvault account does (an OAuth account of the same provider and user)")
	var o oauthFlags
	o.register(fs)
	account := fs.String("account", "", "only this account's messages")
	search := fs.String("search", "", "only messages matching this search (see popvault help)")
	connections := fs.Int("connections", 0, "connections that send at once (default 4 where the server takes MULTIAPPEND, else 8)")
	timeout := fs.Duration("timeout", 60*time.Second, "give up on a server silent this long")
	quiet := fs.Bool("quiet", false, "print only failures")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	if err := o.refused(); err != nil {
		return err
	}
	t.Security = transport.Security(*security)
	switch {
	case t.Host == "" || t.User == "" || t.Mailbox == "":
		return errors.New("--host, --user and --mailbox are required (see popvault restore --help)")
	case t.Security != transport.SecurityTLS && t.Security != transport.SecurityStartTLS && t.Security != transport.SecurityPlain:
		return fmt.Errorf("--security %q: tls, starttls or plain", *security)
	case *fromStdin && (o.provider != "" || *oauthAccount != ""):
		return errors.New("--password-stdin and --oauth: one or the other")
	}
	if t.CAFile != "" {
		abs, err := filepath.Abs(t.CAFile)
		if err != nil {
			return err
		}
		t.CAFile = abs
	}
	arch, err := c.openFor(ctx, *search)
	if err != nil {
		return err
	}
	ids, err := restore.Select(arch, *account, *search)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		fmt.Fprintln(c.stdout, "No messages to restore.")
		return nil
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	pw := passwordFromTerminal
	if *fromStdin {
		pw = passwordFromStdin
	}
	creds, err := c.restoreCredentials(ctx, arch, t, pw, *oauthAccount, o, signInForServer(t, o.provider))
	if err != nil {
		return err
	}
	bar := newProgressBar(c.terminal)
	if *quiet {
		bar.on = false
	}
	debug.SetGCPercent(50) // messages come and go in megabytes
	sum, err := restore.Run(ctx, arch, ids, restore.Options{
		Target:      t,
		Credentials: creds,
		Create:      *create,
		Connections: *connections,
		Timeout:     *timeout,
		Progress: func(p restore.Progress) {
			bar.count("restoring", p.Done+p.Failed, p.Total)
		},
	})
	bar.clear()
	if err != nil && sum.Sent+sum.Already+len(sum.Failed) == 0 && c.sayTargetFailure("restore into "+t.String(), err) {
		// Nothing reached the server: said as a fetch's failure is.
		return exitStatus(1)
	}
	if sum.Restarted {
		fmt.Fprintf(c.stderr, "popvault: note: %s was deleted and made again since the last restore into it (its UIDVALIDITY changed): starting that restore over\n", t.Mailbox)
	}
	if !*quiet || !sum.Complete() {
		fmt.Fprintf(c.stdout, "Restore: %s.\n", sum)
	}
	if len(sum.Failed) > 0 {
		fmt.Fprintf(c.stdout, "Not restored:\n")
		for _, f := range sum.Failed {
			fmt.Fprintf(c.stdout, "  %d\t%s\t%s\n", f.ID, clip(f.Subject, 50), f.Reason)
		}
	}
	if err != nil {
		return err
	}
	if !sum.Complete() {
		return fmt.Errorf("restore incomplete: %d of %d messages are not in %s", sum.Total-sum.Sent-sum.Already, sum.Total, sum.Target)
	}
	return nil
}

// sayTargetFailure says a failure to reach or sign in to an IMAP server
// as a fetch's failure is said (the same health.Explanation): what
// happened, what to do, and the server's own words, each on a line of its
// own. It says nothing, and returns false, for a failure health has no
// fix for: that is returned as it is, to be said on one line.
func (c *session) sayTargetFailure(what string, err error) bool {
	ex := health.Explain(err)
	if ex.Todo == "" {
		return false
	}
	fmt.Fprintf(c.stderr, "popvault: %s: %s.\n  To fix it: %s, and run it again.\n%s", what, ex.Words, ex.Todo, saidLine(ex))
	return true
}

// restoreCredentials are the password (from stdin or the terminal), or
// an OAuth sign-in: an account's, or one made in a browser when none is
// kept yet under keepAs: restore's own (signInForServer), or an account's
// delivery target's (deliver.SignInAccount), which goes when delivery is
// turned off or the account removed. A sign-in goes only where
// credentials.OAuthStore.CheckHost allows.
func (c *session) restoreCredentials(ctx context.Context, arch *archive.Archive, t restore.Target, pw passwordSource, oauthAccount string, o oauthFlags, keepAs fetch.Account) (restore.Credentials, error) {
	store := c.oauthStore()
	switch {
	case oauthAccount != "":
		acct, err := fetch.LoadAccount(arch, oauthAccount)
		if err != nil {
			return restore.Credentials{}, fmt.Errorf("--oauth-account %s: %w", oauthAccount, err)
		}
		if acct.OAuth == "" {
			return restore.Credentials{}, fmt.Errorf("--oauth-account %s: that account signs in with a password; give --password-stdin instead", oauthAccount)
		}
		if _, err := store.Client(acct); err != nil {
			return restore.Credentials{}, fmt.Errorf("--oauth-account %s: %w", oauthAccount, err)
		}
		tokens, err := store.TokenFor(acct, t.Host, t.Security)
		if err != nil {
			return restore.Credentials{}, fmt.Errorf("--oauth-account %s: %w", oauthAccount, err)
		}
		return restore.Credentials{Token: tokens}, nil
	case o.provider != "":
		server := keepAs
		client, err := o.client(store, server, c.stdin)
		if err != nil {
			return restore.Credentials{}, err
		}
		tokens, err := store.TokenFor(server, t.Host, t.Security)
		if err != nil {
			return restore.Credentials{}, err
		}
		if kept, err := store.Client(server); err != nil || !reflect.DeepEqual(kept, client) {
			if err := c.signIn(ctx, server, t.User, client, o.noBrowser); err != nil {
				return restore.Credentials{}, err
			}
		}
		// The store renews one sign-in once at a time; a sign-in in the
		// browser, when the kept one has ended, is made here once. It
		// takes as long as the person does: the restore's context, not
		// the connection's, ends it.
		var mu sync.Mutex
		restoreCtx := ctx
		return restore.Credentials{Token: func(ctx context.Context, want bearer.Freshness) (string, error) {
			tok, err := tokens(ctx, want)
			if !fetch.NeedsSignIn(err) {
				return tok, err
			}
			mu.Lock()
			defer mu.Unlock()
			if tok, err := tokens(ctx, bearer.Current); !fetch.NeedsSignIn(err) {
				return tok, err // signed in again by another connection
			}
			if err := c.signIn(restoreCtx, server, t.User, client, o.noBrowser); err != nil {
				return "", err
			}
			return tokens(ctx, bearer.Current)
		}}, nil
	}
	password, err := c.readPassword(t.User+" on "+t.Host, pw)
	return restore.Credentials{Password: password}, err
}

// signInForServer is where restore keeps a sign-in it made for a server
// and user, under a name of its own: it belongs to no account.
func signInForServer(t restore.Target, provider string) fetch.Account {
	return deliver.OAuthServer(&fetch.Delivery{User: t.User, Host: t.Host, OAuth: provider})
}
