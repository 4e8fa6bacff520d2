package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"popvault/archive"
	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/internal/mailgen"
	"popvault/tools/xvfb"
)

// TestWindowUnderXvfb starts the real binary on an archive of 20,000
// messages under Xvfb, named by POPVAULT_ARCHIVE as a cron user would,
// opens a message with xdotool, searches, fetches 300 messages from a
// test server with Ctrl+R while the window is open, and takes
// screenshots. It fails on Fyne's message for a widget touched off its
// goroutine (which only the real driver prints). It reports the time to a
// painted window and the memory. POPVAULT_SCREENSHOT_OUT saves the
// picture (docs/screenshot.png); POPVAULT_WINDOW_MESSAGES changes the
// archive's size, and POPVAULT_WINDOW_ARCHIVE opens one made elsewhere
// (make bench-scale's), to which the test adds its live account.
func TestWindowUnderXvfb(t *testing.T) {
	n := 20000
	if s := os.Getenv("POPVAULT_WINDOW_MESSAGES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	// POPVAULT_WINDOW_UNINDEXED=1: the window builds the search index, as
	// after an import or an upgrade; the test reports the memory once the
	// window has gone quiet.
	unindexed := os.Getenv("POPVAULT_WINDOW_UNINDEXED") != ""
	path := os.Getenv("POPVAULT_WINDOW_ARCHIVE")
	if path == "" {
		path = buildArchive(t, n, !unindexed)
	} else {
		var err error
		if n, err = countMessages(path); err != nil {
			t.Fatal(err)
		}
	}
	live, config := liveAccount(t, path, 300)
	display := xvfb.Start(t)
	cmd := exec.Command(binary)
	var logs syncBuffer // read while the window runs
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Env = append(withoutBus(os.Environ()), "DISPLAY="+display, "LANG=C.UTF-8", "POPVAULT_ARCHIVE="+path,
		"XDG_CONFIG_HOME="+config, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	shot := filepath.Join(t.TempDir(), "shot.png")
	painted := waitPainted(t, display, shot, 30*time.Second)
	t.Logf("%d messages: window painted with its list %v after start", n, painted.Sub(start).Round(10*time.Millisecond))
	time.Sleep(2 * time.Second) // the rest of the list loads
	t.Logf("%d messages, listed: %s", n, memory(cmd.Process.Pid))
	// Open the newest message.
	xvfb.Run(t, display, "xdotool", "mousemove", "420", "120", "click", "1")
	time.Sleep(1500 * time.Millisecond)
	xvfb.Run(t, display, "import", "-window", "root", shot)
	if img := xvfb.Decode(shot); xvfb.Uniform(img, image.Rect(640, 120, 1000, 400)) {
		t.Fatal("the reader shows nothing after a click on a message")
	}
	t.Logf("%d messages, one opened: %s", n, memory(cmd.Process.Pid))
	// Search the text, open the newest match: its matching lines marked.
	xvfb.Run(t, display, "xdotool", "mousemove", "800", "20", "click", "1")
	xvfb.Run(t, display, "xdotool", "type", "--delay", "20", `"family dinner" hotel`)
	time.Sleep(1500 * time.Millisecond)
	xvfb.Run(t, display, "xdotool", "mousemove", "420", "120", "click", "1")
	time.Sleep(1500 * time.Millisecond)
	xvfb.Run(t, display, "import", "-window", "root", shot)
	if img := xvfb.Decode(shot); xvfb.Uniform(img, image.Rect(640, 120, 1000, 400)) {
		t.Fatal("the reader shows nothing after a search and a click")
	}
	t.Logf("%d messages, searched: %s", n, memory(cmd.Process.Pid))
	if unindexed {
		settle(t, cmd.Process.Pid)
		t.Logf("%d messages, indexed by the window: %s", n, memory(cmd.Process.Pid))
	}
	// Fetch while the window is open: progress, commits and the list's
	// reloads all reach the window from the fetching goroutines.
	xvfb.Run(t, display, "xdotool", "mousemove", "420", "120", "click", "1") // a message: the keyboard goes to the list
	xvfb.Run(t, display, "xdotool", "key", "ctrl+r")
	for deadline := time.Now().Add(60 * time.Second); live.Count("QUIT") == 0; {
		if time.Now().After(deadline) {
			t.Fatalf("the window never fetched from the test server (%d RETR):\n%s", live.Count("RETR"), logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // the list and counts catch up
	xvfb.Run(t, display, "import", "-window", "root", shot)
	t.Logf("fetched %d messages with the window open: %s", live.Count("RETR"), memory(cmd.Process.Pid))
	if strings.Contains(logs.String(), "Error in Fyne call thread") || strings.Contains(logs.String(), "panic") {
		t.Fatalf("the window logged:\n%s", logs.String())
	}
	if out := os.Getenv("POPVAULT_SCREENSHOT_OUT"); out != "" {
		b, _ := os.ReadFile(shot)
		if err := os.WriteFile(out, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// liveAccount adds an account to the archive at path that fetches n
// messages from a test server, with its password where the window will
// look (no keyring: the file in the returned config folder).
func liveAccount(t *testing.T, path string, n int) (*pop3test.Server, string) {
	g := mailgen.New(99)
	msgs := make([]pop3test.Message, n)
	for i := range msgs {
		msgs[i] = pop3test.Message{UID: fmt.Sprintf("live-%d", i), Data: g.NextSmall().Data}
	}
	s := pop3test.NewTLSServer(pop3test.Config{Messages: msgs})
	t.Cleanup(s.Close)
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, s.CertPEM(), 0o600)
	port, _ := strconv.Atoi(s.Addr[strings.LastIndexByte(s.Addr, ':')+1:])
	a, err := archive.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	acct := fetch.Account{Name: "Live", Host: "127.0.0.1", Port: port, User: "alice", CAFile: ca, KeepOnServer: true}
	if err := fetch.SaveAccount(a, acct); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "config")
	os.MkdirAll(filepath.Join(config, "popvault"), 0o700)
	os.WriteFile(filepath.Join(config, "popvault", "secrets.json"), []byte(`{"Live":"secret"}`), 0o600)
	return s, config
}

// countMessages is how many messages the archive at path holds.
func countMessages(path string) (int, error) {
	a, err := archive.Open(path, &archive.Options{NoFullText: true})
	if err != nil {
		return 0, err
	}
	defer a.Close()
	c, err := a.Count()
	return c[""].Total, err
}

// buildArchive makes an archive of n messages in two accounts.
func buildArchive(t *testing.T, n int, indexed bool) string {
	path := filepath.Join(t.TempDir(), "archive.db")
	a, err := archive.Open(path, &archive.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, name := range []string{"Gmail", "Work"} {
		// A port nothing listens on: fetched, these fail at once.
		fetch.SaveAccount(a, fetch.Account{Name: name, Host: "127.0.0.1", Port: 1, User: "me", KeepOnServer: true})
	}
	g := mailgen.New(7)
	for done := 0; done < n; done += 1000 {
		batch := make([]archive.Incoming, 0, 1000)
		for i := done; i < min(n, done+1000); i++ {
			m := g.NextSmall()
			if i%40 == 0 {
				m = g.Next()
			}
			batch = append(batch, archive.Incoming{Account: []string{"Gmail", "Work"}[i%2], UID: strconv.Itoa(i), Raw: m.Data})
		}
		if _, err := a.Store(batch); err != nil {
			t.Fatal(err)
		}
	}
	// Searchable from the start, as a window that has been open before.
	if !indexed {
		return path
	}
	if err := a.SearchIndex().Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	return path
}

// waitPainted takes screenshots until the message list shows text.
func waitPainted(t *testing.T, display, shot string, limit time.Duration) time.Time {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if img := xvfb.Screenshot(display, shot); img != nil && !xvfb.Uniform(img, image.Rect(240, 60, 600, 400)) {
			return time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the window never painted its message list")
	return time.Time{}
}

// rssParts says how much of the RSS is the process's own memory and how
// much is mapped files (the archive, libraries), which the kernel can drop.
func rssParts(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	var parts []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "RssAnon:") || strings.HasPrefix(line, "RssFile:") || strings.HasPrefix(line, "RssShmem:") {
			parts = append(parts, strings.Join(strings.Fields(line), " "))
		}
	}
	return strings.Join(parts, ", ")
}

// memory says how much a process holds resident now and at its peak, and
// what it is made of.
func memory(pid int) string {
	return fmt.Sprintf("RSS %d MB, peak %d MB (%s)", procStatus(pid, "VmRSS:")>>20, procStatus(pid, "VmHWM:")>>20, rssParts(pid))
}

// procStatus reads a size in bytes from /proc/PID/status.
func procStatus(pid int, field string) int64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field) {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// settle waits until a process has used under 5% of a CPU for three
// seconds running: the window has finished its background work.
func settle(t *testing.T, pid int) {
	quiet := 0
	last := cpuTicks(pid)
	for deadline := time.Now().Add(10 * time.Minute); quiet < 3; {
		if time.Now().After(deadline) {
			t.Fatal("the window never went quiet")
		}
		time.Sleep(time.Second)
		now := cpuTicks(pid)
		if now-last < 5 { // clock ticks are 1/100 s
			quiet++
		} else {
			quiet = 0
		}
		last = now
	}
}

// cpuTicks is a process's user and system time in clock ticks.
func cpuTicks(pid int) int64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	fields := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(fields) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(fields[11], 10, 64)
	s, _ := strconv.ParseInt(fields[12], 10, 64)
	return u + s
}

// A display that cannot be reached is one line and a failure, not a
// panic's trace.
func TestWindowWithoutReachableDisplay(t *testing.T) {
	v := newVault(t)
	display := xvfb.Unused(t) // a fixed one was once a display left running
	c := exec.Command(binary, "--archive", v.path)
	c.Env = append(withoutBus(os.Environ()), "DISPLAY="+display, "LANG=C.UTF-8", "XDG_CONFIG_HOME="+v.config)
	out, err := c.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "popvault: ui: cannot open the window: the display \""+display+"\" cannot be reached") || strings.Contains(string(out), "goroutine") {
		t.Fatalf("%v:\n%s", err, out)
	}
}

// syncBuffer is a bytes.Buffer that a child's output may be copied into
// while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
