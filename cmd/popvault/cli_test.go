package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
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

// TestMain builds the real binary once; the tests run it as a user would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "popvault-cli-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "popvault")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// vault runs popvault on one archive with a file for passwords (no keyring).
type vault struct {
	t    *testing.T
	path string
}

func newVault(t *testing.T) *vault {
	return &vault{t: t, path: filepath.Join(t.TempDir(), "archive.db")}
}

func (v *vault) cmd(stdin string, args ...string) *exec.Cmd {
	c := exec.Command(binary, append([]string{"--archive", v.path}, args...)...)
	// No D-Bus session: the keyring falls back to the file beside the archive.
	c.Env = append(os.Environ(), "LANG=C.UTF-8", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent")
	c.Stdin = strings.NewReader(stdin)
	return c
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

func TestCLIKeepMode(t *testing.T) {
	d, msgs := startDovecot(t, 120)
	v := newVault(t)
	v.addAccount(d, "home", "tls", true)
	if out := v.ok("", "account", "list"); !strings.Contains(out, "home") || !strings.Contains(out, "keep") {
		t.Fatalf("account list:\n%s", out)
	}
	_, errs, _ := v.run("", "fetch")
	if !strings.Contains(errs, "home: 120 new") {
		t.Fatalf("fetch said %q", errs)
	}
	if _, errs, code := v.run("", "fetch", "--account", "home", "--quiet"); code != 0 || errs != "" {
		t.Fatalf("a quiet fetch: exit %d, stderr %q", code, errs)
	}
	if n, _ := d.Retrieved(); n != 120 {
		t.Fatalf("Dovecot served %d retrievals over two fetches, want 120", n)
	}
	v.checkExact(msgs)
	list := v.listJSON("--account", "home", "--limit", "1")
	if len(list) != 1 || list[0].Account != "home" || list[0].UID == "" || list[0].MessageID == "" || list[0].Date == "" {
		t.Fatalf("list entry %+v", list)
	}
	if _, err := time.Parse(time.RFC3339, list[0].Date); err != nil {
		t.Fatal(err)
	}
	if out := v.ok("", "verify"); !strings.HasPrefix(out, "OK: 120 messages") {
		t.Fatalf("verify: %s", out)
	}
	show := v.ok("", "show", strconv.FormatUint(list[0].ID, 10))
	if !strings.Contains(show, "Subject: "+list[0].Subject) {
		t.Fatalf("show:\n%.300s", show)
	}
}

func TestCLIDeleteModeAndTransfer(t *testing.T) {
	d, msgs := startDovecot(t, 60)
	v := newVault(t)
	v.addAccount(d, "work", "starttls", false)
	v.ok("", "fetch")
	if left, _ := d.Count(); left != 0 {
		t.Fatalf("%d left on the server", left)
	}
	v.checkExact(msgs)
	dir := t.TempDir()
	for _, format := range []string{"mbox", "maildir"} {
		out := filepath.Join(dir, format)
		v.ok("", "export", "--format", format, "--out", out)
		w := newVault(t)
		if got := w.ok("", "import", "--format", format, out, "--account", "old"); !strings.Contains(got, "60 added") {
			t.Fatalf("import %s: %s", format, got)
		}
		if got := w.ok("", "import", "--format", format, out); !strings.Contains(got, "0 added") {
			t.Fatalf("second import %s: %s", format, got)
		}
		w.checkExact(msgs)
	}
	v.ok("", "export", "--format", "eml", "--out", filepath.Join(dir, "eml"))
	files, _ := filepath.Glob(filepath.Join(dir, "eml", "*.eml"))
	if len(files) != 60 {
		t.Fatalf("%d .eml files", len(files))
	}
}

func TestCLIErrors(t *testing.T) {
	d, _ := startDovecot(t, 1)
	v := newVault(t)
	v.ok("wrong-password\n", "account", "add", "--name", "bad", "--host", "127.0.0.1", "--port", strconv.Itoa(d.TLSPort),
		"--ca-file", d.CAFile, "--user", d.User, "--password-stdin")
	_, errs, code := v.run("", "fetch")
	if code == 0 || strings.Contains(errs, "wrong-password") || !strings.Contains(errs, "bad") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if _, quiet, code := v.run("", "fetch", "--quiet"); code == 0 || quiet != errs {
		t.Fatalf("a quiet fetch that fails: exit %d, stderr %q, want %q", code, quiet, errs)
	}
	for _, args := range [][]string{
		{"fetch", "--account", "missing"},
		{"show", "999"},
		{"show", "x"},
		{"import", "--format", "mbox", "/nonexistent"},
		{"account", "add", "--name", "x"},
		{"frobnicate"},
	} {
		_, errs, code := v.run("", args...)
		if code == 0 || strings.Count(strings.TrimSpace(lastLines(errs)), "\n") > 0 || !strings.HasPrefix(lastLines(errs), "popvault: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
	_, errs, _ = v.run("pw\n", "account", "add", "--name", "clear", "--host", "127.0.0.1", "--security", "plain", "--user", "u", "--password-stdin")
	if !strings.Contains(errs, "unencrypted") {
		t.Errorf("no warning for plain: %q", errs)
	}
	// The password is in the fallback file, mode 0600, never in the archive.
	fi, err := os.Stat(filepath.Join(filepath.Dir(v.path), "secrets.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file: %v %v", fi, err)
	}
	raw, _ := os.ReadFile(v.path)
	if bytes.Contains(raw, []byte("wrong-password")) {
		t.Fatal("the archive holds a password")
	}
}

// lastLines drops the lines Fyne's locale probe prints, from its package
// init, before main can stop it, when the locale is C.
func lastLines(s string) string {
	var keep []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if !strings.Contains(l, "Fyne error") && !strings.Contains(l, "  Cause: ") && !strings.Contains(l, "  At: ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// TestKillDuringFetch SIGKILLs a delete-mode fetch at random moments, then
// lets one finish: every message must be archived exactly once, byte for
// byte, the server empty, and verify clean.
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
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	refills := 0
	for killed := 0; killed < kills; {
		if left, _ := d.Count(); left == 0 {
			// A fetch finished between kills: give the next ones new mail
			// to interrupt, and expect it in the archive too.
			refills++
			for _, m := range mailgen.Corpus(n/4+1, uint64(100+refills)) {
				msgs = append(msgs, m.Data)
				d.Deliver(m.Data)
			}
		}
		c := v.cmd("", "fetch")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(r.IntN(600)) * time.Millisecond)
		if c.Process.Signal(syscall.SIGKILL) == nil {
			killed++
		}
		c.Wait()
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
	if left, _ := d.Count(); left != 0 {
		t.Fatalf("%d left on the server", left)
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
