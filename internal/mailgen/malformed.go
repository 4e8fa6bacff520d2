package mailgen

import (
	"fmt"
	"strings"
)

// Malformed returns broken and unusual messages, named: deep MIME
// nesting, missing boundaries, unknown charsets and encodings, 8-bit and
// NUL bytes in headers, a 1 MB line, broken base64, path-traversal
// attachment names, no header at all.
func Malformed() map[string][]byte {
	out := map[string][]byte{}
	var deep strings.Builder
	deep.WriteString("Subject: deep nesting\r\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&deep, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	deep.WriteString("Content-Type: text/plain\r\n\r\nbottom\r\n")
	out["deep nesting"] = []byte(deep.String())
	out["missing boundary"] = []byte("Subject: no boundary\r\nContent-Type: multipart/mixed\r\n\r\n--x\r\nhello\r\n")
	out["boundary never closed"] = []byte("Subject: open\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\nnever closed\r\n")
	out["unknown charset"] = []byte("Subject: =?x-martian?Q?hi?=\r\nContent-Type: text/plain; charset=x-martian\r\n\r\nbody\r\n")
	out["unknown encoding"] = []byte("Subject: enc\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode-ish\r\n\r\nbody\r\n")
	out["8-bit headers"] = []byte("From: J\xfcrgen <j@x>\r\nSubject: Gr\xfc\xdfe \xff\xfe\r\n\r\nbody\r\n")
	out["NUL bytes"] = []byte("Subject: nul\x00here\r\nX-Null: \x00\x00\r\n\r\nbody\x00with\x00nuls\r\n")
	out["1 MB line"] = []byte("Subject: long line\r\n\r\n" + strings.Repeat("a", 1<<20) + "\r\n")
	out["1 MB header"] = []byte("Subject: " + strings.Repeat("h", 1<<20) + "\r\n\r\nbody\r\n")
	out["broken base64"] = []byte("Subject: b64\r\nContent-Type: multipart/mixed; boundary=q\r\n\r\n--q\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=doc.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not*base64@@@\r\n--q--\r\n")
	out["path traversal names"] = []byte("Subject: names\r\nContent-Type: multipart/mixed; boundary=n\r\n\r\n" +
		"--n\r\nContent-Disposition: attachment; filename=\"../../../etc/passwd\"\r\n\r\nx\r\n" +
		"--n\r\nContent-Disposition: attachment; filename=\"..\\\\..\\\\win.ini\"\r\n\r\ny\r\n" +
		"--n\r\nContent-Disposition: attachment; filename=\"/abs/.hidden\"\r\n\r\nz\r\n" +
		"--n\r\nContent-Disposition: attachment; filename=\"\x1b[31mred\"\r\n\r\nw\r\n--n--\r\n")
	out["no header"] = []byte("just a body without any header\r\n")
	out["empty"] = []byte("\r\n")
	out["header only, no blank line"] = []byte("Subject: nothing after")
	out["bad date and addresses"] = []byte("From: <<<@@>>>\r\nTo: ,,,\r\nDate: 99 Foo 20233 25:61:61\r\nSubject: odd\r\n\r\nx\r\n")
	out["html bomb"] = []byte("Subject: html\r\nContent-Type: text/html\r\n\r\n" + strings.Repeat("<div>", 100000) + "deep" + strings.Repeat("</div>", 100000) + "\r\n")
	return out
}
