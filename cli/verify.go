package cli

import "fmt"

// verify checks every message against its SHA-256, and the index.
func (c *session) verify(args []string) error {
	if _, err := c.parse(c.flags("verify"), args); err != nil {
		return err
	}
	arch, err := c.openSearchable()
	if err != nil {
		return err
	}
	rep, err := arch.Verify(nil)
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(c.stderr, p)
	}
	if !rep.OK() {
		return fmt.Errorf("%d problems in %d messages", len(rep.Problems), rep.Messages)
	}
	fmt.Fprintf(c.stdout, "OK: %d messages, %s, each matches its SHA-256.\n", rep.Messages, megabytes(rep.Bytes))
	return nil
}
