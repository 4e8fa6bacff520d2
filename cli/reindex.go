package cli

import (
	"context"
	"fmt"
	"time"
)

// reindex rebuilds the full-text index from the archive.
func (c *session) reindex(ctx context.Context, args []string) error {
	if _, err := c.parse(c.flags("reindex"), args); err != nil {
		return err
	}
	arch, err := c.openSearchable()
	if err != nil {
		return err
	}
	ctx, stop := interruptible(ctx)
	defer stop()
	start := time.Now()
	if err := c.indexing(arch, func() error { return arch.SearchIndex().Rebuild(ctx) }); err != nil {
		return err
	}
	counts, err := arch.Count()
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Indexed %d messages in %.1f s.\n", counts[""].Total, time.Since(start).Seconds())
	return nil
}
