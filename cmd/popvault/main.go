// Command popvault downloads POP3 mail into a local archive. With no
// arguments it opens the window; with a command it works from the
// command line, for cron jobs and headless backups.
package main

import (
	"fmt"
	"os"

	_ "early.popvault.io/localefix" // before Fyne's init: see its doc
)

func main() {
	if len(os.Args) > 1 {
		attachConsole()
	}
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "popvault:", oneLine(err))
		os.Exit(1)
	}
}
