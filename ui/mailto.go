package ui

import (
	"net/mail"
	"net/url"
	"strings"
	"time"

	"popvault/archive"
)

// maxQuoted bounds the text a reply or forward carries in its mailto:
// address: mail programs and systems cut long addresses (Windows at about
// 2,000 characters).
const maxQuoted = 1200

// replyLink is a mailto: address (RFC 6068) that opens the user's mail
// program on a reply to v: to its Reply-To or sender, "Re:" and its
// subject, its text quoted. popvault sends no mail itself.
func replyLink(v *archive.View) string {
	to := v.ReplyTo
	if to == "" {
		if a, err := mail.ParseAddress(v.From); err == nil {
			to = a.Address
		}
	}
	subject := v.Subject
	if !strings.HasPrefix(strings.ToLower(subject), "re:") {
		subject = "Re: " + subject
	}
	var body strings.Builder
	body.WriteString("\n\nOn " + v.Date.Local().Format(time.RFC1123) + ", " + v.From + " wrote:\n")
	for _, line := range strings.Split(clipText(v.BodyText(), maxQuoted), "\n") {
		body.WriteString("> " + strings.TrimRight(line, "\r") + "\n")
	}
	fields := [][2]string{{"subject", subject}, {"body", body.String()}}
	if v.MessageID != "" {
		fields = append(fields, [2]string{"In-Reply-To", "<" + v.MessageID + ">"})
	}
	return mailto(to, fields)
}

// forwardLink is a mailto: address for forwarding v's text.
func forwardLink(v *archive.View) string {
	subject := v.Subject
	if !strings.HasPrefix(strings.ToLower(subject), "fwd:") {
		subject = "Fwd: " + subject
	}
	var body strings.Builder
	body.WriteString("\n\n---------- Forwarded message ----------\n")
	for _, h := range [][2]string{{"From", v.From}, {"Date", v.Date.Local().Format(time.RFC1123)}, {"Subject", v.Subject}, {"To", v.To}} {
		if h[1] != "" {
			body.WriteString(h[0] + ": " + h[1] + "\n")
		}
	}
	body.WriteString("\n" + clipText(v.BodyText(), maxQuoted))
	return mailto("", [][2]string{{"subject", subject}, {"body", body.String()}})
}

func mailto(to string, fields [][2]string) string {
	var q []string
	for _, f := range fields {
		q = append(q, f[0]+"="+escape(strings.ReplaceAll(f[1], "\r\n", "\n")))
	}
	return "mailto:" + escape(to) + "?" + strings.Join(q, "&")
}

// escape percent-encodes for a mailto: address: spaces as %20, never +.
func escape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// clipText cuts text to about n bytes at a line's end, saying so.
func clipText(s string, n int) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if len(s) <= n {
		return s
	}
	cut, _ := capText(s, n)
	if i := strings.LastIndexByte(cut, '\n'); i > n/2 {
		cut = cut[:i]
	}
	return cut + "\n[…]"
}
