package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"popvault/archive"
	"popvault/fetch"
	"popvault/health"
	"popvault/notify"
)

// notifyIfDue shows a desktop notification about an account whose
// unattended fetches have started failing, or whose sign-in must be
// renewed, when notify's policy says one is due (once per run of
// failures, at most once a day), and records that it did. With no
// desktop session nothing is shown, nothing is started and nothing is
// recorded: the next run that finds one tells.
func (c *session) notifyIfDue(ctx context.Context, arch *archive.Archive, acct fetch.Account, rec health.Record) {
	now := c.now()
	due, reason := notify.ShouldNotify(rec.History(), now)
	if !due {
		return
	}
	n := notify.Notification{Account: acct.Name, Title: acct.Name + ": backups have stopped",
		Body: "The last backups failed: " + rec.Words + "."}
	if reason == notify.SignInNeeded {
		n.Title = acct.Name + ": " + rec.Words // "the server refused the password", "the sign-in must be renewed"
		n.Body = "Backups cannot go on until you do this:"
	}
	if rec.Fix != "" {
		n.Body += " " + rec.Fix + "."
	}
	exe, err := c.exe()
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second) // a notification service that hangs must not hold the fetch's exit
	defer cancel()
	if err := notify.Send(ctx, n, notify.Options{Exe: exe, Archive: c.path()}); err != nil {
		return // no session (cron while nobody is logged in), or the service refused: status still says it
	}
	health.Change(arch, acct.Name, func(r *health.Record) { r.LastNotified, r.LastReason = now, reason })
}

// notifyWait is the process notify.Send starts to show a notification
// and wait for its click (see package notify).
func (c *session) notifyWait() error {
	out, ok := c.env.Stdout.(io.WriteCloser)
	if !ok {
		out = nopCloser{c.env.Stdout}
	}
	return notify.RunWaiter(c.stdin, out)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// openAccount opens the window on the account an --open-account
// argument names (a notification's click): a name, with --archive; or on
// Windows a popvault-open: URI, which carries the archive the notifying
// job fetched into (an --archive given too wins).
func (c *session) openAccount(arg string) error {
	account, arch, err := notify.ParseOpenArg(arg)
	if err != nil {
		return err
	}
	path := c.path()
	if arch != "" && c.archivePath == "" {
		// Anyone can make such a link: it opens an archive that is
		// there, and never makes one where it says.
		if fi, err := os.Stat(arch); err != nil || !fi.Mode().IsRegular() {
			return fmt.Errorf("the archive %s that the notification was about is not there any more; open popvault and choose the archive with --archive", arch)
		}
		path = arch
	}
	return c.env.WindowOn(path, account)
}
