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
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"popvault/fetch/pop3test"
	"popvault/tools/xvfb"
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

// TestWindowNoBusLeft opens the window as from a desktop session that
// has no D-Bus session bus (a plain X session, ssh -X): Fyne asks the bus
// for the desktop's settings, and must not autolaunch a dbus-daemon that
// outlives the window.
func TestWindowNoBusLeft(t *testing.T) {
	inNamespace(t, "TestWindowNoBusLeftInNamespace")
}

func TestWindowNoBusLeftInNamespace(t *testing.T) {
	insideNamespace(t)
	mountTmpfs(t, "/run", "1m") // no /run/user/UID/bus
	path := buildArchive(t, 50, true)
	display := xvfb.Start(t)
	marker := make([]byte, 8)
	rand.Read(marker)
	probe := "POPVAULT_LEAK_PROBE=" + hex.EncodeToString(marker)
	home := t.TempDir()
	cmd := exec.Command(binary)
	cmd.Env = append(withoutBus(os.Environ()), probe, "DISPLAY="+display, "LANG=C.UTF-8", "HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "POPVAULT_ARCHIVE="+path)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitPainted(t, display, filepath.Join(t.TempDir(), "shot.png"), 30*time.Second)
	time.Sleep(time.Second) // Fyne watches the desktop's settings once the window is up
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	time.Sleep(500 * time.Millisecond) // an autolaunched bus starts its keyring after dbus-launch returns
	if left := processesWith(probe); len(left) > 0 {
		t.Errorf("processes started by the window outlive it: %s\n%s", strings.Join(left, ", "), logs.String())
	}
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

// TestCronFindsTheDesktopKeyring is the README's cron recipe: an account
// added where the desktop's session bus is known (as the window is) keeps
// its password in the keyring, and a later fetch with no bus variable at
// all (as cron runs it) finds that keyring at /run/user/UID/bus and
// fetches. (In a namespace, where a tmpfs over /run holds a bus of the
// test's own: see inNamespace.)
func TestCronFindsTheDesktopKeyring(t *testing.T) {
	inNamespace(t, "TestCronFindsTheDesktopKeyringInNamespace")
}

func TestCronFindsTheDesktopKeyringInNamespace(t *testing.T) {
	insideNamespace(t)
	mountTmpfs(t, "/run", "1m")
	runDir := filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
	if err := os.MkdirAll(runDir, 0o700); err != nil {
		t.Fatal(err)
	}
	bus := "unix:path=" + filepath.Join(runDir, "bus")
	home := t.TempDir()
	daemon := exec.Command("dbus-daemon", "--session", "--address="+bus, "--nofork", "--nopidfile")
	daemon.Env = append(withoutBus(os.Environ()), "HOME="+home)
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { daemon.Process.Kill(); daemon.Wait() })
	for i := 0; ; i++ {
		if _, err := os.Stat(filepath.Join(runDir, "bus")); err == nil {
			break
		}
		if i == 200 {
			t.Fatal("dbus-daemon made no bus")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The keyring claims its name on the bus once it is ready: the test
	// waits for that signal rather than for a time.
	watch, err := dbus.Connect(bus)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close()
	if err := watch.AddMatchSignal(dbus.WithMatchInterface("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, "org.freedesktop.secrets")); err != nil {
		t.Fatal(err)
	}
	claimed := make(chan *dbus.Signal, 8)
	watch.Signal(claimed)
	// The desktop's keyring, unlocked at login.
	keyring := exec.Command("gnome-keyring-daemon", "--unlock", "--components=secrets", "--foreground")
	keyring.Env = append(withoutBus(os.Environ()), "HOME="+home, "DBUS_SESSION_BUS_ADDRESS="+bus)
	keyring.Stdin = strings.NewReader("login password")
	if err := keyring.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { keyring.Process.Kill(); keyring.Wait() })

	s := pop3test.NewTLSServer(pop3test.Config{Messages: []pop3test.Message{{UID: "1", Data: []byte("Subject: hi\r\n\r\nhello\r\n")}}})
	defer s.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, s.CertPEM(), 0o600)
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	v := newVault(t)
	v.noBus = true
	v.env = []string{"DBUS_SESSION_BUS_ADDRESS=" + bus} // the desktop's session
	var out string
	for sig := range claimed {
		if len(sig.Body) == 3 && sig.Body[2] != "" {
			break // a new owner of org.freedesktop.secrets
		}
	}
	// Its login collection may still be unlocking (seconds on a busy
	// machine: make test runs the Windows and release tests beside this
	// one): an add that finds it locked is tried again, with no time
	// limit but the test's own.
	for try := 1; ; try++ {
		var errs string
		var code int
		out, errs, code = v.run("secret\n", "account", "add", "--name", "desk", "--host", "127.0.0.1", "--port", port, "--ca-file", ca, "--user", "alice", "--password-stdin")
		if code == 0 {
			break
		}
		t.Logf("account add, try %d: %s", try, errs)
		// What the failed add left, if it got as far as saving the account
		// (a locked collection may fail it before that).
		if _, errs, code := v.run("", "account", "remove", "--name", "desk"); code != 0 && !strings.Contains(errs, `not found: account "desk"`) {
			t.Fatalf("account remove: %s", errs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !strings.Contains(out, "system keyring") || fileExists(filepath.Join(v.config, "popvault", "secrets.json")) {
		t.Fatalf("the password did not go to the keyring: %q", out)
	}
	v.env = nil // cron: no bus variable, no runtime folder
	if _, errs, code := v.run("", "fetch", "--quiet"); code != 0 || s.Count("PASS") != 1 {
		t.Fatalf("a fetch as cron runs it: exit %d, %q", code, errs)
	}
}
