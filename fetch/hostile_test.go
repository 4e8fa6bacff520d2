package fetch

import (
	"context"
	"runtime/metrics"
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
			before := allocated()
			start := time.Now()
			r := f.Fetch(context.Background(), acct)
			alloc := allocated() - before
			if r.Err == nil {
				t.Fatal("the fetch succeeded")
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
			if msg := r.Err.Error(); strings.ContainsAny(msg, "\x1b\x07") || len(msg) > 1500 || strings.Contains(msg, "secret") {
				t.Errorf("unreadable or leaking error: %q", msg)
			}
			// Everything allocated during the fetch, however briefly (a peak
			// sampled now and then could miss it): an unbounded read of the
			// 5 MB greeting would be over this many times.
			t.Logf("allocated %d KB", alloc>>10)
			if alloc > 2<<20 {
				t.Errorf("allocated %d KB during the fetch", alloc>>10)
			}
			s.Close()
			if n := s.Count("(cleartext credential)") + s.Count("USER"); n != 0 {
				t.Fatalf("%d credentials sent in clear", n)
			}
		})
	}
}

// allocated is how many bytes this process has allocated on the heap so
// far, including what has since been freed.
func allocated() int64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64())
}
