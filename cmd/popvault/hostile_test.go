package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"popvault/fetch/pop3test"
)

// TestHostileServerMemory fetches, with the real binary, from servers
// that try to make popvault hold memory or wait for ever, and samples the
// child's own peak resident memory (VmHWM) while it runs: it must stay
// under 150 MB, and the fetch must end.
func TestHostileServerMemory(t *testing.T) {
	tiny := make([]pop3test.Message, 2000)
	for i := range tiny {
		body := fmt.Sprintf("Subject: %d\r\n\r\n%s\r\n", i, strings.Repeat("x", 70))
		tiny[i] = pop3test.Message{UID: fmt.Sprintf("u%05d", i), Data: []byte(body)}
	}
	var capa strings.Builder
	capa.WriteString("+OK\r\n")
	for capa.Len() < 10<<20 {
		capa.WriteString("X-PADDING " + strings.Repeat("p", 100) + "\r\n")
	}
	capa.WriteString(".\r\n")
	tests := map[string]struct {
		cfg  pop3test.Config
		want string // in the error; "" for success
	}{
		"LIST claims 64 MiB for each of 2,000 messages of 100 bytes": {
			cfg: pop3test.Config{Messages: tiny, Faults: pop3test.Faults{ListSizeDelta: 64<<20 - 100}},
		},
		"a RETR trickled a byte a second": {
			cfg:  pop3test.Config{Messages: tiny[:5], Faults: pop3test.Faults{Trickle: &pop3test.Trigger{Command: "RETR", Nth: 2}}},
			want: "too slowly",
		},
		"a 10 MB CAPA": {
			cfg:  pop3test.Config{Messages: tiny[:5], Faults: pop3test.Faults{Replies: map[string]string{"CAPA": capa.String()}}},
			want: "listing too long",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := pop3test.NewTLSServer(tt.cfg)
			defer s.Close()
			v := newVault(t)
			ca := filepath.Join(t.TempDir(), "ca.pem")
			os.WriteFile(ca, s.CertPEM(), 0o600)
			port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
			v.ok("secret\n", "account", "add", "--name", "h", "--host", "127.0.0.1", "--port", port, "--ca-file", ca,
				"--user", "alice", "--password-stdin", "--timeout", "2s")
			start := time.Now()
			m, out, err := sampled(v.cmd("", "fetch"), 60*time.Second)
			peak := m.peak
			t.Logf("peak RSS %d MB, %v: %s", peak>>20, time.Since(start).Round(100*time.Millisecond), strings.TrimSpace(out))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("fetch: %v: %s", err, out)
			case tt.want != "" && (err == nil || !strings.Contains(out, tt.want)):
				t.Fatalf("fetch: %v: %s, want an error saying %q", err, out, tt.want)
			}
			if peak > 150<<20 {
				t.Fatalf("peak RSS %d MB: the server decides how much popvault holds", peak>>20)
			}
		})
	}
}

// memorySamples are the largest of a process's memory figures seen.
type memorySamples struct {
	peak       int64 // VmHWM: resident at its highest
	anon, file int64 // the largest own memory, and mapped files, resident
}

// sampled runs c, sampling its own memory every 20 ms until it exits or
// limit passes. (Not the finished child's rusage: Go starts children with
// vfork, so their ru_maxrss includes this test process's peak from before
// exec.)
func sampled(c *exec.Cmd, limit time.Duration) (m memorySamples, out string, err error) {
	var b bytes.Buffer
	c.Stdout, c.Stderr = &b, &b
	if err := c.Start(); err != nil {
		return m, "", err
	}
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	deadline := time.After(limit)
	for {
		select {
		case err := <-done:
			return m, b.String(), err
		case <-deadline:
			c.Process.Kill()
			<-done
			return m, b.String(), fmt.Errorf("still running after %v", limit)
		case <-time.After(20 * time.Millisecond):
			pid := c.Process.Pid
			m.peak = max(m.peak, procStatus(pid, "VmHWM:"))
			m.anon = max(m.anon, procStatus(pid, "RssAnon:"))
			m.file = max(m.file, procStatus(pid, "RssFile:"))
		}
	}
}
