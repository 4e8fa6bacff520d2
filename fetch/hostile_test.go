package fetch

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"popvault/fetch/pop3test"
)

// TestHostileServers: servers that strip STARTTLS, inject data, present
// the wrong certificate or send garbage. In each, no credential crosses
// the wire in clear, the fetch ends promptly with a readable error, and
// memory stays bounded.
func TestHostileServers(t *testing.T) {
	msgs := smallCorpus(3)
	tests := map[string]struct {
		cfg      pop3test.Config
		security Security
	}{
		"STLS missing from CAPA":       {pop3test.Config{Messages: msgs}, SecurityStartTLS},
		"STLS answered -ERR":           {pop3test.Config{Messages: msgs, STLS: true, Faults: pop3test.Faults{Replies: map[string]string{"STLS": "-ERR not now\r\n"}}}, SecurityStartTLS},
		"STLS answered garbage":        {pop3test.Config{Messages: msgs, STLS: true, Faults: pop3test.Faults{Replies: map[string]string{"STLS": "+OKAY sure\r\n"}}}, SecurityStartTLS},
		"bytes injected after STLS":    {pop3test.Config{Messages: msgs, STLS: true, Faults: pop3test.Faults{InjectAfterSTLS: []byte("+OK\r\n+OK logged in\r\n")}}, SecurityStartTLS},
		"certificate for another host": {pop3test.Config{Messages: msgs, STLS: true, CertHosts: []string{"evil.example"}}, SecurityStartTLS},
		"5 MB greeting":                {pop3test.Config{RawGreeting: "+OK " + strings.Repeat("A", 5<<20)}, SecurityStartTLS},
		"greeting is not POP3":         {pop3test.Config{RawGreeting: "220 mail.example ESMTP Postfix"}, SecurityStartTLS},
		"terminal escapes in text":     {pop3test.Config{RawGreeting: "-ERR [SYS/PERM] \x1b[2J\x1b]0;pwned\x07go away"}, SecurityStartTLS},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := pop3test.NewServer(tt.cfg)
			defer s.Close()
			port, _ := strconv.Atoi(s.Addr[strings.LastIndexByte(s.Addr, ':')+1:])
			secrets := &MemorySecrets{}
			secrets.Set("h", "secret")
			f := &Fetcher{Archive: openArchive(t), Secrets: secrets, RootCAs: s.CertPool()}
			acct := Account{Name: "h", Host: "127.0.0.1", Port: port, Security: tt.security, User: "alice", KeepOnServer: true, Timeout: Duration(2 * time.Second)}
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			r := f.Fetch(context.Background(), acct)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if r.Err == nil {
				t.Fatal("the fetch succeeded")
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
			if msg := r.Err.Error(); strings.ContainsAny(msg, "\x1b\x07") || len(msg) > 1500 || strings.Contains(msg, "secret") {
				t.Errorf("unreadable or leaking error: %q", msg)
			}
			if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 32<<20 {
				t.Errorf("heap grew %d MB", grew>>20)
			}
			s.Close()
			if n := s.Count("(cleartext credential)") + s.Count("USER"); n != 0 {
				t.Fatalf("%d credentials sent in clear", n)
			}
		})
	}
}
