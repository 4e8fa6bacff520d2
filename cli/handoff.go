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
// fetch, which the window runs as a run alone would. Commands that change
// accounts or import wait for the window to close, as they say.
var handsOff = map[string]bool{"fetch": true, "list": true, "show": true, "status": true, "export": true, "verify": true, "schedule": true}

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
		if !errors.Is(err, archive.ErrInUse) || !handsOff[cmd] || c.env.Archive != nil {
			return err
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
