package ui

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"popvault/archive"
)

func TestReplyAndForwardLinks(t *testing.T) {
	v := &archive.View{Summary: &archive.Summary{From: "Ada Lovelace <ada@example.org>", To: "me@example.org", Subject: "Tickets & times?",
		MessageID: "abc@example.org", Date: time.Date(2025, 3, 3, 10, 0, 0, 0, time.UTC)},
		Text: "Line one\r\nLine two = 2\r\n" + strings.Repeat("long line of text\n", 200)}
	parse := func(link string) (string, url.Values) {
		t.Helper()
		if !strings.HasPrefix(link, "mailto:") || strings.Contains(link, "+") || strings.Contains(link, " ") {
			t.Fatalf("not a clean mailto: address: %.200s", link)
		}
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		return u.Opaque, u.Query()
	}
	to, q := parse(replyLink(v))
	if to != "ada%40example.org" || q.Get("subject") != "Re: Tickets & times?" || q.Get("In-Reply-To") != "<abc@example.org>" {
		t.Errorf("reply to %q: %v", to, q)
	}
	body := q.Get("body")
	if !strings.Contains(body, "Ada Lovelace <ada@example.org> wrote:\n> Line one\n> Line two = 2\n") || !strings.Contains(body, "[…]") || len(body) > maxQuoted+300 {
		t.Errorf("reply body %q", body)
	}
	v.ReplyTo = "list@example.org"
	v.Subject = "RE: again"
	if to, q := parse(replyLink(v)); to != "list%40example.org" || q.Get("subject") != "RE: again" {
		t.Errorf("Reply-To: %q %v", to, q)
	}
	to, q = parse(forwardLink(v))
	if to != "" || q.Get("subject") != "Fwd: RE: again" || !strings.Contains(q.Get("body"), "From: Ada Lovelace <ada@example.org>\n") {
		t.Errorf("forward %q %v", to, q)
	}
}
