package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"popvault/archive"
	"popvault/archive/fulltext"
	"popvault/internal/termtext"
)

// listed is one line of list --json.
type listed struct {
	ID             uint64 `json:"id"`
	Account        string `json:"account"`
	UID            string `json:"uid"`
	MessageID      string `json:"message_id"`
	From           string `json:"from"`
	To             string `json:"to"`
	Subject        string `json:"subject"`
	Date           string `json:"date"`
	Size           int64  `json:"size"`
	Read           bool   `json:"read"`
	HasAttachments bool   `json:"has_attachments"`
	Snippet        string `json:"snippet,omitempty"` // with a search: the body around the first match
}

// snippet is the text around a message's first match, or its start.
func snippet(arch *archive.Archive, id uint64, q *fulltext.Query) string {
	v, err := arch.View(id)
	if err != nil {
		return ""
	}
	s, _ := q.Snippet(v.BodyText(), 100)
	return strings.Join(strings.Fields(s), " ")
}

func (c *session) list(ctx context.Context, args []string) error {
	fs := c.flags("list")
	account := fs.String("account", "", "only this account's messages")
	search := fs.String("search", "", "only messages matching this search (see popvault help), with a snippet of each")
	limit := fs.Int("limit", 0, "at most this many (0: all)")
	asJSON := fs.Bool("json", false, "one JSON object per line")
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	arch, err := c.openFor(ctx, *search)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	if !*asJSON {
		fmt.Fprintln(w, "ID\tDATE\tFROM\tSUBJECT")
	}
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	var match *fulltext.Query
	if *search != "" {
		if match, err = archive.ParseSearch(*search); err != nil {
			return err
		}
	}
	q := archive.Query{Account: *account, Search: *search, Limit: 1000}
	for n := 0; ; {
		page, err := arch.List(q)
		if err != nil {
			return err
		}
		for _, s := range page.Messages {
			if *limit > 0 && n == *limit {
				return w.Flush()
			}
			n++
			snip := ""
			if match != nil {
				snip = snippet(arch, s.ID, match)
			}
			if *asJSON {
				l := toListed(s, *account)
				l.Snippet = snip
				line.Reset()
				if err := enc.Encode(l); err != nil {
					return err
				}
				// Escaped rather than dropped, so the JSON still holds
				// what the mail says.
				if _, err := c.stdout.Write(termtext.EscapeJSON(line.Bytes())); err != nil {
					return err
				}
				continue
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", s.ID, s.Date.Local().Format("2006-01-02 15:04"), clip(s.From, 30), clip(s.Subject, 60))
			if snip != "" {
				fmt.Fprintf(w, "\t\t\t%s\n", snip)
			}
		}
		if page.Next == nil {
			return w.Flush()
		}
		q.Before = page.Next
	}
}

func toListed(s *archive.Summary, account string) listed {
	l := listed{ID: s.ID, MessageID: s.MessageID, From: s.From, To: s.To, Subject: s.Subject,
		Date: s.Date.UTC().Format(time.RFC3339), Size: s.Size, Read: s.Read, HasAttachments: s.HasAttachments}
	for _, r := range s.Refs {
		if account == "" || r.Account == account {
			l.Account, l.UID = r.Account, r.UID
			break
		}
	}
	return l
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
