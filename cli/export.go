package cli

import (
	"errors"
	"fmt"
)

// export writes the archive, or an account's part of it, as an mbox, a
// Maildir or a folder of .eml files.
func (c *session) export(args []string) error {
	fs := c.flags("export")
	format := fs.String("format", "", "mbox, maildir or eml")
	out := fs.String("out", "", "the file (mbox) or folder (maildir, eml) to write")
	account := fs.String("account", "", "only this account's messages")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	if *format == "" || *out == "" {
		return errors.New("export needs --format and --out")
	}
	arch, err := c.open()
	if err != nil {
		return err
	}
	*out = c.abs(*out)
	n, err := arch.Export(*format, *out, *account)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "Exported %d messages to %s.\n", n, *out)
	return nil
}
