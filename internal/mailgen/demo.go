package mailgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Demo returns a few dozen varied messages for the demo mailbox: plain
// text, HTML with remote images, attachments, and text in ISO-8859-1,
// KOI8-R and Shift_JIS, each as a server would hold it.
func Demo() [][]byte {
	base := time.Now().Add(-30 * 24 * time.Hour).Truncate(time.Hour)
	var out [][]byte
	add := func(day int, from, subject, headers, body string) {
		date := base.Add(time.Duration(day) * 17 * time.Hour).Format(time.RFC1123Z)
		msg := fmt.Sprintf("From: %s\r\nTo: You <you@example.org>\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <demo.%d@popvault.example>\r\nMIME-Version: 1.0\r\n%s\r\n%s",
			from, subject, date, len(out), headers, body)
		out = append(out, []byte(msg))
	}
	add(0, "popvault <hello@popvault.example>", "Welcome to popvault", "Content-Type: text/plain; charset=utf-8\r\n",
		"This is a demo mailbox served by a POP3 server inside popvault.\r\n\r\n"+
			"Everything you fetch is stored in an archive on this computer, byte for byte\r\n"+
			"as the server sent it. Search the list above, open messages, save\r\n"+
			"attachments, or export the whole archive from Settings.\r\n")
	add(1, "Ada Lovelace <ada@example.org>", "Notes on the engine", "Content-Type: text/html; charset=utf-8\r\n",
		"<html><body><h1>Notes</h1><p>The <b>engine</b> may act upon other things besides <i>number</i>.</p>"+
			"<p><img src=\"https://tracker.example/pixel.gif\" alt=\"a tracking pixel that popvault never loads\"></p>"+
			"<ul><li>Operations</li><li>Variables</li></ul><p><a href=\"https://example.org/notes\">Read more</a></p></body></html>\r\n")
	add(2, "=?ISO-8859-1?Q?Andr=E9_Dupont?= <andre@example.fr>", "=?ISO-8859-1?Q?Caf=E9_demain=3F?=", "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n",
		"On se voit au caf\xe9 demain \xe0 9h ? Je r\xe9serve une table.\r\n")
	add(3, "=?KOI8-R?B?7MXXIPTPzNPUz8o=?= <lev@example.ru>", "=?KOI8-R?B?98/KzsEgySDNydI=?=", "Content-Type: text/plain; charset=koi8-r\r\n",
		"\xf7\xd3\xc5 \xd3\xde\xc1\xd3\xd4\xcc\xc9\xd7\xd9\xc5 \xd3\xc5\xcd\xd8\xc9 \xd0\xcf\xc8\xcf\xd6\xc9 \xc4\xd2\xd5\xc7 \xce\xc1 \xc4\xd2\xd5\xc7\xc1.\r\n")
	add(4, "=?ISO-2022-JP?B?GyRCOzNFRBsoQg==?= <yamada@example.jp>", "=?UTF-8?B?5Lya6K2w44Gu5qGI5YaF?=", "Content-Type: text/plain; charset=shift_jis\r\n",
		"\x96\xbe\x93\xfa\x82\xcc\x89\xef\x8b\x63\x82\xcd10\x8e\x9e\x82\xa9\x82\xe7\x82\xc5\x82\xb7\x81\x42\r\n")
	boundary := "=_demo_boundary"
	add(5, "Brian Kernighan <bwk@example.org>", "Photos from the trip", "Content-Type: multipart/mixed; boundary=\""+boundary+"\"\r\n",
		"--"+boundary+"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nTwo pictures attached; the second one has a name that tries to escape its folder.\r\n"+
			"--"+boundary+"\r\nContent-Type: image/png; name=\"beach.png\"\r\nContent-Disposition: attachment; filename=\"beach.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"+
			"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==\r\n"+
			"--"+boundary+"\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"../../.bashrc\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"+
			"ZWNobyBoZWxsbwo=\r\n--"+boundary+"--\r\n")
	alt := "=_demo_alt"
	add(6, "Grace Hopper <grace@example.org>", "Meeting agenda", "Content-Type: multipart/alternative; boundary=\""+alt+"\"\r\n",
		"--"+alt+"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n1. Compilers\r\n2. Nanoseconds\r\n3. Bugs\r\n"+
			"--"+alt+"\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<ol><li>Compilers</li><li>Nanoseconds</li><li>Bugs</li></ol>\r\n--"+alt+"--\r\n")
	var long strings.Builder
	r := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 400; i++ {
		long.WriteString(sentence(r, 12) + ".\r\n")
	}
	add(7, "Newsletter <news@example.com>", "A very long newsletter", "Content-Type: text/plain; charset=utf-8\r\n", long.String())
	g := New(2026)
	for i := 8; i < 40; i++ {
		m := g.NextSmall()
		if i%9 == 0 {
			m = g.Next()
		}
		out = append(out, m.Data)
	}
	return out
}
