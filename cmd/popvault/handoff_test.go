package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"popvault/fetch/pop3test"
	"popvault/handoff"
	"popvault/tools/xvfb"
)

// openWindow starts the real window on v's archive under Xvfb and returns
// once it listens for the commands other popvaults hand to it (its
// socket beside the archive); the window ends with the test.
func (v *vault) openWindow() {
	v.t.Helper()
	display := xvfb.Start(v.t)
	home := v.t.TempDir()
	cmd := exec.Command(binary, "--archive", v.path)
	cmd.Env = append(withoutBus(os.Environ()), "DISPLAY="+display, "LANG=C.UTF-8", "HOME="+home,
		"XDG_CONFIG_HOME="+v.config, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		v.t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	v.t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		<-exited
	})
	// The window listens before it shows (ui.New), so once it is painted
	// its socket is there.
	waitPainted(v.t, display, filepath.Join(v.t.TempDir(), "shot.png"), 60*time.Second)
	if fi, err := os.Stat(handoff.SocketPath(v.path)); err != nil || fi.Mode().Type() != os.ModeSocket {
		v.t.Fatalf("the window shows but does not listen for other popvaults' commands: %v\n%s", err, logs.String())
	}
}

// TestScheduledRunWhileTheWindowIsOpen is issue #28's report: the window
// open on an archive, a scheduled fetch --quiet and list used to exit 1
// with "archive: in use by another popvault". Now the window runs them:
// they print and exit as they would alone, and two scheduled runs at
// once fetch each message once.
func TestScheduledRunWhileTheWindowIsOpen(t *testing.T) {
	msgs := []pop3test.Message{
		{UID: "1", Data: []byte("Subject: one\r\nMessage-ID: <1@x>\r\n\r\nhi\r\n")},
		{UID: "2", Data: []byte("Subject: two\r\nMessage-ID: <2@x>\r\n\r\nhi\r\n")},
		{UID: "3", Data: []byte("Subject: three\r\nMessage-ID: <3@x>\r\n\r\nhi\r\n")},
	}
	s := pop3test.NewTLSServer(pop3test.Config{Messages: msgs})
	defer s.Close()
	v := newVault(t)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, s.CertPEM(), 0o600)
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	v.ok("secret\n", "account", "add", "--name", "home", "--host", "127.0.0.1", "--port", port, "--ca-file", ca, "--user", "alice", "--password-stdin")
	v.openWindow()

	// Two scheduled runs that overlap.
	var wg sync.WaitGroup
	type ran struct {
		out, errs string
		code      int
	}
	runs := make([]ran, 2)
	for i := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, errs, code := v.run("", "fetch", "--quiet")
			runs[i] = ran{out, errs, code}
		}()
	}
	wg.Wait()
	for i, r := range runs {
		if r.code != 0 || r.out != "" || r.errs != "" {
			t.Errorf("scheduled run %d while the window is open: exit %d, stdout %q, stderr %q", i+1, r.code, r.out, r.errs)
		}
	}
	if n := s.Count("RETR"); n != 3 {
		t.Errorf("the server sent %d messages for 3", n)
	}
	out := v.ok("", "list", "--json")
	if n := strings.Count(out, "\n"); n != 3 {
		t.Fatalf("list while the window is open: %d lines:\n%s", n, out)
	}
	var first struct{ Subject string }
	json.Unmarshal([]byte(out[:strings.IndexByte(out, '\n')]), &first)
	if first.Subject == "" {
		t.Errorf("list --json: %s", out)
	}
	if out, errs, code := v.run("", "status"); code != 0 || !strings.HasPrefix(out, "home: last backup a moment ago, 3 messages") {
		t.Errorf("status while the window is open: exit %d, %q, %q", code, out, errs)
	}
}
