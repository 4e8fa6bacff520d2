package fetch

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"popvault/fetch/pop3test"
)

// With a CA file the chain and host name are still verified: a
// certificate the file does not vouch for is refused, and so is one it
// vouches for that names another host.
func TestCAFileVerification(t *testing.T) {
	trusted := pop3test.NewCertificate("127.0.0.1")
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	os.WriteFile(caFile, trusted.CertPEM, 0o600)
	tests := map[string]struct {
		cert *pop3test.Certificate // nil: the server's own, unknown to the file
		ok   bool
	}{
		"the CA's own certificate":                   {&trusted, true},
		"one the CA issued for this host":            {ptr(trusted.Issue("127.0.0.1")), true},
		"one the CA issued for another host":         {ptr(trusted.Issue("mail.example.org")), false},
		"a certificate the CA file knows nothing of": {nil, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := pop3test.NewUnstartedServer(pop3test.Config{Messages: smallCorpus(2)})
			if tt.cert != nil {
				s.SetCertificate(*tt.cert)
			}
			s.StartTLS()
			defer s.Close()
			port, _ := strconv.Atoi(s.Addr[strings.LastIndexByte(s.Addr, ':')+1:])
			secrets := &MemorySecrets{}
			secrets.Set("t", "secret")
			f := &Fetcher{Secrets: secrets}
			acct := Account{Name: "t", Host: "127.0.0.1", Port: port, User: "alice", KeepOnServer: true, CAFile: caFile}
			n, _, err := f.TryConnection(context.Background(), acct, secrets)
			if tt.ok && (err != nil || n != 2) {
				t.Fatalf("trusted: %d, %v", n, err)
			}
			if !tt.ok && (err == nil || !strings.Contains(err.Error(), "certificate")) {
				t.Fatalf("untrusted accepted: %v", err)
			}
			if s.Count("(cleartext credential)")+s.Count("PASS") != map[bool]int{true: 1}[tt.ok] {
				t.Fatalf("credentials sent to an unverified server")
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
