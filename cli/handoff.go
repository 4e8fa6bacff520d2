package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"popvault/archive"
	"popvault/handoff"
)

// handsOff lists the commands that, finding the archive held by the
// window, hand themselves to it (package handoff): those that read, and
// fetch, which the window runs as a run alone would.
//
// The commands that change accounts (account add, edit, signin, deliver,
// remove) and import are not handed over, and say at once where in the
// window to do the same (windowHas). A person who types them while the
// window is open has the window in front of them, where the same change
// is a dialog away and the sidebar shows it; handed over, they would
// change accounts under a window that holds them in memory (a fetch of
// the account being edited or removed may be running there), carry a
// password through another channel (stdin forwarded to the window), and
// sign-ins would open the browser from the window's process. The window
// is the one place accounts change while it runs; the command line
// changes them when it is closed.
var handsOff = map[string]bool{"fetch": true, "list": true, "show": true, "status": true, "export": true, "verify": true, "schedule": true}

// handsOver reports whether cmd (with its arguments) is one the window
// runs when it holds the archive: handsOff's, and account list.
func handsOver(cmd string, rest []string) bool {
	return handsOff[cmd] || cmd == "account" && len(rest) > 0 && rest[0] == "list"
}

// inWindow is where in the window a command that is not handed over is
// done instead, by the command line's words (windowHas).
var inWindow = map[string]string{
	"account add":     "add the account there: Add account on the toolbar",
	"account edit":    "edit the account there: select it in the sidebar and press Edit",
	"account deliver": "set its delivery there: select the account in the sidebar, press Edit, and fill in \"Also put new mail into another mailbox\"",
	"account remove":  "remove the account there: select it in the sidebar and press Remove",
	"account signin":  "sign in there: select the account in the sidebar, press Edit, and sign in again",
	"import":          "import there: File, then Import mail files… or Import a folder… (Settings imports from another program)",
}

// errHeld: the archive is held by another popvault, and the command is
// not one the window takes (handsOver). It says so whole, with what to
// do, and unwraps to archive.ErrInUse.
type errHeld struct{ words string }

func (e errHeld) Error() string { return e.words }

func (errHeld) Unwrap() error { return archive.ErrInUse }

// windowHas is the error for cmd, not handed over, that found the
// archive in use: by the window, which has the same a few clicks away,
// or by another command-line popvault, a scheduled backup most likely.
func (c *session) windowHas(ctx context.Context, cmd string, rest []string) error {
	name := cmd
	if cmd == "account" && len(rest) > 0 {
		name += " " + rest[0]
	}
	switch instead, ok := inWindow[name]; {
	case !handoff.Listening(ctx, c.path()):
		return errHeld{"another popvault is working on this archive (a scheduled backup, perhaps); run popvault " + name + " again when it has finished"}
	case ok:
		return errHeld{"the popvault window has this archive open; close it, or " + instead}
	}
	return errHeld{"the popvault window has this archive open; close it, then run popvault " + name + " again"}
}

// exitStatus ends a command with a status and nothing more to say: a
// command the window ran, which said what it had to.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// runOrHandOff runs the command; where the archive is held by another
// popvault, it hands the command to it if that is the window, and a fetch
// held up by another command-line popvault (two scheduled runs that
// overlap) waits for it, so that no account is fetched twice at once and
// cron is not sent an error.
func (c *session) runOrHandOff(ctx context.Context, cmd string, rest []string) error {
	said := false
	for {
		err := c.dispatch(ctx, cmd, rest)
		if !errors.Is(err, archive.ErrInUse) || c.env.Archive != nil {
			return err
		}
		if !handsOver(cmd, rest) {
			return c.windowHas(ctx, cmd, rest)
		}
		status, ferr := c.handOff(ctx, cmd, rest)
		if ferr == nil {
			if status == 0 {
				return nil
			}
			return exitStatus(status)
		}
		if !errors.Is(ferr, handoff.ErrNoWindow) {
			return ferr
		}
		if cmd != "fetch" {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !said && !c.quiet(rest) {
			fmt.Fprintln(c.stderr, "popvault: another popvault is fetching into this archive: waiting for it to end")
			said = true
		}
		// dispatch waits for the archive's lock again (a second each
		// time, bbolt's own polling) and, if a window opens it
		// meanwhile, the next round hands the fetch to it.
	}
}

// handOff hands the command to the window holding the archive.
func (c *session) handOff(ctx context.Context, cmd string, rest []string) (int, error) {
	path, err := filepath.Abs(c.path())
	if err != nil {
		return 0, err
	}
	dir, _ := os.Getwd()
	args := append([]string{"--archive", path, cmd}, rest...)
	return handoff.Forward(ctx, path, handoff.Request{Args: args, Dir: dir}, c.env.Stdout, c.env.Stderr)
}

// quiet reports whether a fetch's arguments hold --quiet.
func (c *session) quiet(args []string) bool {
	for _, a := range args {
		if a == "--quiet" || a == "-quiet" || a == "--quiet=true" || a == "-quiet=true" {
			return true
		}
	}
	return false
}

// abs is path as given on a command line run in Env.Dir: a command the
// window runs for another popvault writes where that one was asked to.
func (c *session) abs(path string) string {
	if c.env.Dir == "" || filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(c.env.Dir, path)
}
