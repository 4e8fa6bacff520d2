package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
)

var binary string

// The command line is tested in process, in package cli; the tests here
// run the real binary for what only a process shows: its exit status,
// SIGKILLs at random moments, cron's environment, a namespace of its own,
// its memory, the locale Fyne reads before main, and the window.

// TestMain builds the real binary once; the tests run it as a user would.
// Under -short (make check, the unit tier) it builds nothing and runs
// none of them: each needs the binary, with GLFW's C code, and most a
// real server, a display or a namespace too.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("skipped: cmd/popvault's tests run the real binary (GLFW, Dovecot, Xvfb, namespaces): make check (-short) skips them, make test runs them")
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "popvault-cli-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "popvault")
	if b := os.Getenv("POPVAULT_TEST_BINARY"); b != "" {
		binary = b // built by the test that ran this one (see inNamespace)
	} else if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// vault runs popvault on one archive, with a config folder of its own and
// no keyring: passwords go to the file there.
type vault struct {
	t      *testing.T
	path   string
	config string   // XDG_CONFIG_HOME
	env    []string // more of the environment, after the rest
	noBus  bool     // no bus variable at all, as under cron
}

func newVault(t *testing.T) *vault {
	return &vault{t: t, path: filepath.Join(t.TempDir(), "archive.db"), config: t.TempDir()}
}

func (v *vault) cmd(stdin string, args ...string) *exec.Cmd {
	c := exec.Command(binary, append([]string{"--archive", v.path}, args...)...)
	// A session bus that does not answer: the keyring is absent, as under
	// cron, and a developer's own keyring is never written. (TestNoBusLeft
	// runs with no bus variable at all.)
	c.Env = append(withoutBus(os.Environ()), "LANG=C.UTF-8", "XDG_CONFIG_HOME="+v.config)
	if !v.noBus {
		c.Env = append(c.Env, "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
	}
	c.Env = append(c.Env, v.env...)
	c.Stdin = strings.NewReader(stdin)
	return c
}

// withoutBus drops what tells a program where the session bus and the
// user's runtime folder are, and the config folder.
func withoutBus(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if name != "DBUS_SESSION_BUS_ADDRESS" && name != "XDG_RUNTIME_DIR" && name != "XDG_CONFIG_HOME" {
			out = append(out, kv)
		}
	}
	return out
}

// run runs popvault and returns stdout, stderr and the exit code.
func (v *vault) run(stdin string, args ...string) (string, string, int) {
	v.t.Helper()
	c := v.cmd(stdin, args...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		v.t.Fatal(err)
	}
	return out.String(), errb.String(), c.ProcessState.ExitCode()
}

func (v *vault) ok(stdin string, args ...string) string {
	v.t.Helper()
	out, errs, code := v.run(stdin, args...)
	if code != 0 {
		v.t.Fatalf("popvault %v: exit %d: %s", args, code, errs)
	}
	return out
}

func startDovecot(t *testing.T, n int) (*dovecot.Server, [][]byte) {
	t.Helper()
	var msgs [][]byte
	for _, m := range mailgen.Corpus(n, 3) {
		msgs = append(msgs, m.Data)
	}
	return dovecot.StartForTest(t, msgs...), msgs
}

func (v *vault) addAccount(d *dovecot.Server, name, security string, keep bool) {
	port := d.TLSPort
	if security != "tls" {
		port = d.Port
	}
	v.ok(d.Password+"\n", "account", "add", "--name", name, "--host", "127.0.0.1", "--port", strconv.Itoa(port),
		"--security", security, "--ca-file", d.CAFile, "--user", d.User, "--password-stdin", "--keep="+strconv.FormatBool(keep))
}

// listed is what these tests read of a line of list --json (package cli
// has all of it).
type listed struct {
	ID uint64 `json:"id"`
}

func (v *vault) listJSON(args ...string) []listed {
	var out []listed
	for _, line := range strings.Split(strings.TrimSpace(v.ok("", append([]string{"list", "--json"}, args...)...)), "\n") {
		if line == "" {
			continue
		}
		var l listed
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			v.t.Fatalf("list --json line %q: %v", line, err)
		}
		out = append(out, l)
	}
	return out
}

// checkExact asserts the archive holds exactly msgs, byte for byte, each once.
func (v *vault) checkExact(msgs [][]byte) {
	v.t.Helper()
	want := map[[32]byte]bool{}
	for _, m := range msgs {
		want[sha256.Sum256(m)] = true
	}
	list := v.listJSON()
	if len(list) != len(msgs) {
		v.t.Fatalf("archive lists %d, want %d", len(list), len(msgs))
	}
	seen := map[[32]byte]bool{}
	for _, l := range list {
		h := sha256.Sum256([]byte(v.ok("", "show", "--raw", strconv.FormatUint(l.ID, 10))))
		if !want[h] || seen[h] {
			v.t.Fatalf("message %d is altered or duplicated", l.ID)
		}
		seen[h] = true
	}
}

// TestKillDuringFetch SIGKILLs a delete-mode fetch of two accounts,
// fetched at once (alice's and bob's maildrops on one Dovecot), at random
// moments, then lets one finish: every message must be archived exactly
// once, byte for byte, both maildrops empty, and verify clean.
func TestKillDuringFetch(t *testing.T) {
	kills := 20
	if testing.Short() {
		kills = 5
	}
	if s := os.Getenv("POPVAULT_KILLS"); s != "" {
		kills, _ = strconv.Atoi(s)
	}
	messages := 500
	if s := os.Getenv("POPVAULT_KILL_MESSAGES"); s != "" {
		messages, _ = strconv.Atoi(s)
	}
	killTest(t, messages, kills)
}

func killTest(t *testing.T, n, kills int) {
	d, msgs := startDovecot(t, n)
	v := newVault(t)
	v.addAccount(d, "victim", "tls", false)
	for _, m := range mailgen.Corpus(n/2, 4) {
		msgs = append(msgs, m.Data)
		d.DeliverTo(d.User2, m.Data)
	}
	v.ok(d.Password2+"\n", "account", "add", "--name", "victim2", "--host", "127.0.0.1", "--port", strconv.Itoa(d.TLSPort),
		"--ca-file", d.CAFile, "--user", d.User2, "--password-stdin", "--keep=false")
	r := rand.New(rand.NewPCG(seed(t), 1))
	refills := 0
	for killed := 0; killed < kills; {
		for i, user := range []string{d.User, d.User2} {
			if left, _ := d.CountOf(user); left == 0 {
				// A fetch finished between kills: give the next ones new
				// mail to interrupt, and expect it in the archive too.
				refills++
				for _, m := range mailgen.Corpus(n/4+1, uint64(100+10*refills+i)) {
					msgs = append(msgs, m.Data)
					d.DeliverTo(user, m.Data)
				}
			}
		}
		c := v.cmd("", "fetch")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { c.Wait(); close(exited) }()
		select {
		case <-exited: // finished before its moment came: not a kill
		case <-time.After(time.Duration(r.IntN(600)) * time.Millisecond):
			c.Process.Signal(syscall.SIGKILL)
			<-exited
		}
		// Count only what the kernel says a SIGKILL ended.
		if ws, ok := c.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			killed++
		}
	}
	// Dovecot may still hold the maildrop of a killed session for a moment.
	for try := 0; ; try++ {
		_, errs, code := v.run("", "fetch")
		if code == 0 {
			break
		}
		if try == 20 {
			t.Fatalf("final fetch: %s", errs)
		}
		time.Sleep(250 * time.Millisecond)
	}
	for _, user := range []string{d.User, d.User2} {
		if left, _ := d.CountOf(user); left != 0 {
			t.Fatalf("%d left in %s's maildrop", left, user)
		}
	}
	v.checkExact(msgs)
	v.ok("", "verify")
	t.Logf("%d kills, %d refills, %d messages checked", kills, refills, len(msgs))
}

// TestQuietUnderAnyLocale: a cron job under Debian's C.UTF-8 got three
// lines of "Fyne error: Error parsing user locale C" from every run.
func TestQuietUnderAnyLocale(t *testing.T) {
	v := newVault(t)
	for _, env := range [][]string{
		{"LANG=C.UTF-8"}, {"LC_ALL=C.utf8", "LANG=en_US.UTF-8"}, {"LANG=POSIX.UTF-8"}, {"LANG=C"}, {"LANG="}, {"LANG=de_DE.UTF-8"},
	} {
		c := exec.Command(binary, "--archive", v.path, "account", "list")
		c.Env = append(withoutLocale(os.Environ()), env...)
		var errb bytes.Buffer
		c.Stderr = &errb
		if err := c.Run(); err != nil || errb.Len() > 0 {
			t.Errorf("%v: %v, stderr %q", env, err, errb.String())
		}
	}
}

func withoutLocale(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if name != "LANG" && name != "LANGUAGE" && !strings.HasPrefix(name, "LC_") {
			out = append(out, kv)
		}
	}
	return out
}

// seed is the seed of a test's random kill times: POPVAULT_SEED's, to
// replay a failure, or the clock's; either way the test log says which.
func seed(t *testing.T) uint64 {
	t.Helper()
	s := uint64(time.Now().UnixNano())
	if env := os.Getenv("POPVAULT_SEED"); env != "" {
		n, err := strconv.ParseUint(env, 10, 64)
		if err != nil {
			t.Fatalf("POPVAULT_SEED=%q: want a number", env)
		}
		s = n
	}
	t.Logf("random seed %d (POPVAULT_SEED=%d replays it)", s, s)
	return s
}
