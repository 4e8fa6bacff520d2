package cli

import (
	"fmt"
	"time"

	"popvault/archive"
)

// indexing runs work (a wait for the full-text index, a rebuild) and
// shows meanwhile how many messages are left to index: a line redrawn each
// second on a terminal, one line otherwise.
func (c *session) indexing(arch *archive.Archive, work func() error) error {
	done := make(chan error, 1)
	go func() { done <- work() }()
	tty := isTerminal(c.terminal)
	said := false
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if said && tty {
				fmt.Fprint(c.terminal, "\r\033[K")
			}
			return err
		case <-tick.C:
			left, _ := arch.SearchIndex().Status()
			switch {
			case left == 0:
			case tty:
				fmt.Fprintf(c.terminal, "\rindexing for search: %d messages left ", left)
				said = true
			case !said:
				fmt.Fprintf(c.stderr, "popvault: indexing %d messages for search\n", left)
				said = true
			}
		}
	}
}
