package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// show writes a message's headers, attachments and text, or with --raw
// its stored bytes, and marks it read.
func (c *session) show(args []string) error {
	fs := c.flags("show")
	raw := fs.Bool("raw", false, "write the stored bytes unchanged")
	pos, err := c.parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("show needs one message id (see popvault list)")
	}
	id, err := strconv.ParseUint(pos[0], 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a message id", pos[0])
	}
	arch, err := c.open()
	if err != nil {
		return err
	}
	if *raw {
		b, err := arch.Raw(id)
		if err != nil {
			return err
		}
		_, err = c.rawStdout.Write(b) // the stored bytes, as promised: no filter
		return err
	}
	v, err := arch.View(id)
	if err != nil {
		return err
	}
	var b strings.Builder
	for _, h := range [][2]string{{"From", v.From}, {"To", v.To}, {"Cc", v.Cc}, {"Subject", v.Subject}} {
		if h[1] != "" {
			fmt.Fprintf(&b, "%s: %s\n", h[0], h[1])
		}
	}
	fmt.Fprintf(&b, "Date: %s\n", v.Date.Local().Format(time.RFC1123Z))
	for _, a := range v.Attachments {
		fmt.Fprintf(&b, "Attachment: %s (%s, %d bytes)\n", a.Name, a.ContentType, a.Size)
	}
	b.WriteString("\n" + v.BodyText() + "\n")
	_, err = fmt.Fprint(c.stdout, b.String())
	if err == nil && !v.Read {
		err = arch.SetRead(id, true)
	}
	return err
}
