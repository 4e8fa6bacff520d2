// Command popvault downloads POP3 mail into a local archive. With no
// arguments it opens the window; with a command it works from the
// command line (package cli), for cron jobs and headless backups. This
// is the doorway: it hands cli the process's arguments, streams and
// environment, the window (window.go) and the demo (demo.go), and exits
// with the status cli returns.
package main

import (
	"context"
	"os"

	_ "early.popvault.io/localefix" // before Fyne's init: see its doc

	"popvault/cli"
)

// version is the release's version, set by make release from git describe
// (-ldflags -X main.version=...); a plain go build leaves it empty.
var version string

func main() {
	if len(os.Args) > 1 {
		attachConsole()
	}
	os.Exit(cli.Run(context.Background(), os.Args[1:], cli.Env{
		Stdin:    os.Stdin,
		Stdout:   os.Stdout,
		Stderr:   os.Stderr,
		Getenv:   os.Getenv,
		Version:  version,
		Window:   runWindow,
		WindowOn: runWindowOn,
		Demo:     runDemo,
	}))
}
