package transport

import (
	"os"
	"testing"
)

// Each protocol's ports: the TLS port for implicit TLS, the plain port
// (where STARTTLS is offered) otherwise.
func TestDefaultPort(t *testing.T) {
	for _, tt := range []struct {
		p    Protocol
		sec  Security
		want int
	}{
		{POP3, SecurityTLS, 995},
		{POP3, SecurityStartTLS, 110},
		{POP3, SecurityPlain, 110},
		{IMAP, SecurityTLS, 993},
		{IMAP, SecurityStartTLS, 143},
		{IMAP, SecurityPlain, 143},
	} {
		if got := tt.p.DefaultPort(tt.sec); got != tt.want {
			t.Errorf("protocol %d, %s: port %d, want %d", tt.p, tt.sec, got, tt.want)
		}
	}
}

// A CA file that is missing or holds no certificate is said, with the
// file's name; with neither a file nor roots the system's roots are used.
func TestTLSConfigCAFile(t *testing.T) {
	if cfg, err := TLSConfig("mail.example.org", "", nil); err != nil || cfg.ServerName != "mail.example.org" || cfg.InsecureSkipVerify || cfg.RootCAs != nil {
		t.Fatalf("no CA file: %+v, %v", cfg, err)
	}
	empty := t.TempDir() + "/empty.pem"
	if err := writeFile(empty, "not a certificate"); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{t.TempDir() + "/missing.pem", empty} {
		if _, err := TLSConfig("mail.example.org", file, nil); err == nil {
			t.Errorf("%s accepted", file)
		}
	}
	if err := verifyChain(nil, "mail.example.org", nil); err == nil {
		t.Error("an empty chain verified")
	}
}

func writeFile(path, s string) error { return os.WriteFile(path, []byte(s), 0o600) }
