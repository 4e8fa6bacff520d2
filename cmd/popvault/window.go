package main

import (
	"context"
	"io"
	"os"
	"runtime/debug"

	"popvault/archive"
	"popvault/cli"
	"popvault/handoff"
	"popvault/ui"
)

// runWindow opens the window on the archive at path: the one the command
// line would use ($POPVAULT_ARCHIVE, --archive or the default).
func runWindow(path string) error { return runWindowOn(path, "") }

// runWindowOn opens the window showing account (a notification's click).
func runWindowOn(path, account string) error {
	// A window that may hold 100,000 rows for hours: collect garbage
	// sooner than Go's default, for a smaller resident size.
	debug.SetGCPercent(50)
	return ui.Run(ui.Options{ArchivePath: path, Serve: serveHandedOff, OpenAccount: account})
}

// serveHandedOff runs a command another popvault handed to the window
// (a scheduled fetch, a list) with the command line, on the window's
// archive: what it prints and its exit status are the command line's own.
func serveHandedOff(ctx context.Context, arch *archive.Archive, req handoff.Request, stdout, stderr io.Writer) int {
	return cli.Run(ctx, req.Args, cli.Env{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv, Version: version, Archive: arch, Dir: req.Dir})
}
