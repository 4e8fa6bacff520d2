package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/term"

	"popvault/archive"
)

// waitIndexed waits for the full-text index to hold everything stored so
// far (mail fetched from the command line is indexed by the next popvault
// that searches), saying on stderr what it waits for.
func (c *cli) waitIndexed(ctx context.Context, arch *archive.Archive) error {
	done := make(chan error, 1)
	go func() { done <- arch.WaitIndexed(ctx) }()
	return c.withStatus(done, arch)
}

// withStatus waits for done, showing how many messages are left to index:
// a line redrawn each second on a terminal, one line otherwise.
func (c *cli) withStatus(done chan error, arch *archive.Archive) error {
	f, ok := c.stderr.(*os.File)
	tty := ok && term.IsTerminal(int(f.Fd()))
	said := false
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if said && tty {
				fmt.Fprint(c.stderr, "\r\033[K")
			}
			return err
		case <-tick.C:
			left, _ := arch.IndexStatus()
			switch {
			case left == 0:
			case tty:
				fmt.Fprintf(c.stderr, "\rindexing for search: %d messages left ", left)
				said = true
			case !said:
				fmt.Fprintf(c.stderr, "popvault: indexing %d messages for search\n", left)
				said = true
			}
		}
	}
}

// reindex rebuilds the full-text index from the archive.
func (c *cli) reindex(args []string) error {
	if _, err := parse(c.flags("reindex"), args); err != nil {
		return err
	}
	arch, err := c.open()
	if err != nil {
		return err
	}
	defer c.close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- arch.Reindex(ctx) }()
	if err := c.withStatus(done, arch); err != nil {
		return err
	}
	counts, err := arch.Count()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Indexed %d messages in %.1f s.\n", counts[""].Total, time.Since(start).Seconds())
	return nil
}
