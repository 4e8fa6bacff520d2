package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"popvault/fetch/pop3test"
)

// TestNoBusLeft runs the command line as cron does, with no session bus
// variable and no bus in /run/user (a tmpfs hides the real one, in a
// namespace: see inNamespace), through add, fetch and remove, and asserts
// that no process it started outlives it. godbus, asked for the keyring
// with no address, would autolaunch a dbus-daemon and a gnome-keyring
// that stay behind, one pair per run.
func TestNoBusLeft(t *testing.T) {
	if _, err := exec.LookPath("dbus-launch"); err != nil {
		t.Fatal("dbus-launch is not installed, so this test could not see it started: make deps installs dbus-x11")
	}
	inNamespace(t, "TestNoBusLeftInNamespace")
}

func TestNoBusLeftInNamespace(t *testing.T) {
	insideNamespace(t)
	mountTmpfs(t, "/run", "1m") // no /run/user/UID/bus
	s := pop3test.NewTLSServer(pop3test.Config{Messages: []pop3test.Message{{UID: "1", Data: []byte("Subject: hi\r\n\r\nhello\r\n")}}})
	defer s.Close()
	v := newVault(t)
	v.noBus = true
	marker := make([]byte, 8)
	rand.Read(marker)
	v.env = []string{"POPVAULT_LEAK_PROBE=" + hex.EncodeToString(marker)}
	t.Cleanup(func() {
		time.Sleep(500 * time.Millisecond) // an autolaunched bus starts its keyring after dbus-launch returns
		if left := processesWith(v.env[0]); len(left) > 0 {
			t.Errorf("processes started by popvault outlive it: %s", strings.Join(left, ", "))
		}
	})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, s.CertPEM(), 0o600)
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	_, errs, code := v.run("secret\n", "account", "add", "--name", "cron", "--host", "127.0.0.1", "--port", port, "--ca-file", ca, "--user", "alice", "--password-stdin")
	if code != 0 {
		t.Fatalf("account add: %s", errs)
	}
	if !strings.Contains(errs, "no system keyring") {
		t.Errorf("account add did not say that the password went to a file: %q", errs)
	}
	v.ok("", "fetch", "--quiet")
	v.ok("", "account", "remove", "--name", "cron")
}

// processesWith lists the processes whose environment holds kv: those a
// command started, however they detached.
func processesWith(kv string) []string {
	var out []string
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		pid, err := strconv.Atoi(d.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", d.Name(), "environ"))
		if err != nil || !bytes.Contains(append(env, 0), []byte(kv+"\x00")) {
			continue
		}
		comm, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "comm"))
		out = append(out, fmt.Sprintf("%s (%d)", strings.TrimSpace(string(comm)), pid))
	}
	return out
}
