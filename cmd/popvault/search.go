package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// waitIndexed waits for the full-text index to hold everything stored so
// far, saying on stderr what it waits for when that takes a while.
func (c *cli) waitIndexed(ctx context.Context) error {
	arch, err := c.open()
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- arch.WaitIndexed(ctx) }()
	for tick := time.NewTicker(time.Second); ; {
		select {
		case err := <-done:
			tick.Stop()
			c.clearStatus()
			return err
		case <-tick.C:
			if left, _ := arch.IndexStatus(); left > 0 {
				fmt.Fprintf(c.stderr, "\rindexing for search: %d messages left ", left)
				c.status = true
			}
		}
	}
}

func (c *cli) clearStatus() {
	if c.status {
		fmt.Fprint(c.stderr, "\r\033[K")
		c.status = false
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
	for tick := time.NewTicker(time.Second); ; {
		select {
		case err := <-done:
			tick.Stop()
			c.clearStatus()
			if err != nil {
				return err
			}
			counts, err := arch.Count()
			if err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "Indexed %d messages in %.1f s.\n", counts[""].Total, time.Since(start).Seconds())
			return nil
		case <-tick.C:
			left, _ := arch.IndexStatus()
			fmt.Fprintf(c.stderr, "\rindexing for search: %d messages left ", left)
			c.status = true
		}
	}
}
