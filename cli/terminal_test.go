package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"popvault/archive"
	"popvault/fetch/pop3test"
)

// hostile are the characters a stranger's text may carry to act on a
// terminal: ESC (a title, OSC 52 to the clipboard), BEL, CR, DEL, a C1
// CSI, and a bidirectional override.
var hostile = []string{"\x1b", "\x07", "\r", "\x7f", "\u009b", "\u202e"}

func assertClean(t *testing.T, what, out string) {
	t.Helper()
	for _, h := range hostile {
		if strings.Contains(out, h) {
			t.Errorf("%s writes %q to the terminal:\n%q", what, h, out)
		}
	}
}

// Nothing a mail or a server says reaches the terminal as a control: not
// in a body (text, or HTML with numeric entities), a search snippet, a
// header, or a certificate's name in a TLS error. --raw stays exact, and
// --json says the same text with escapes.
func TestTerminalSafeOutput(t *testing.T) {
	v := newVault(t)
	text := "From: Eve <eve@example.org>\r\nSubject: gift\x1b]0;pwned\x07\r\nDate: Mon, 2 Jan 2023 10:00:00 +0000\r\n\r\n" +
		"gift\x1b]52;c;ZXZpbA==\x07 card\r\rchanged \x7f\u009b2J invoice\u202efdp.exe\r\n"
	html := "From: Eve <eve@example.org>\r\nSubject: voucher\r\nDate: Tue, 3 Jan 2023 10:00:00 +0000\r\nContent-Type: text/html\r\n\r\n" +
		"<p>voucher &#27;]0;pwned&#7; code &#x9b;2J and &#x202e;exe.pdf &#127;</p>\r\n"
	a, err := archive.Open(v.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := a.Store([]archive.Incoming{{Account: "x", UID: "1", Raw: []byte(text)}, {Account: "x", UID: "2", Raw: []byte(html)}})
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []uint64{st[0].ID, st[1].ID} {
		out := v.ok("", "show", strconv.FormatUint(id, 10))
		assertClean(t, "show", out)
		if !strings.Contains(out, "code") && !strings.Contains(out, "card") {
			t.Fatalf("show lost the text:\n%s", out)
		}
	}
	for _, q := range []string{"gift", "voucher"} {
		out := v.ok("", "list", "--search", q)
		assertClean(t, "list --search "+q, out)
		if !strings.Contains(out, q) {
			t.Fatalf("list --search %s:\n%s", q, out)
		}
	}
	out := v.ok("", "list", "--search", "gift", "--json")
	assertClean(t, "list --json", out)
	var l listed
	if err := json.Unmarshal([]byte(out), &l); err != nil || !strings.Contains(l.Snippet, "\x1b]52") || !strings.Contains(l.Snippet, "\u202e") {
		t.Fatalf("--json does not say what the mail says: %q, %v", l.Snippet, err)
	}
	if raw := v.ok("", "show", "--raw", strconv.FormatUint(st[0].ID, 10)); raw != text {
		t.Fatalf("--raw is not the stored bytes: %q", raw)
	}

	// A certificate whose name carries escapes, shown in a TLS error.
	s := pop3test.NewTLSServer(pop3test.Config{CertHosts: []string{"evil\x1b]0;pwned\x07.example"}})
	defer s.Close()
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, s.CertPEM(), 0o600)
	v.ok("pw\n", "account", "add", "--name", "evil", "--host", "localhost", "--port", port, "--ca-file", ca, "--user", "alice", "--password-stdin")
	_, errs, code := v.run("", "fetch", "--account", "evil")
	if code == 0 || !strings.Contains(errs, "pwned") {
		t.Fatalf("fetch from the evil certificate: exit %d, %q", code, errs)
	}
	assertClean(t, "a TLS error", errs)
}
