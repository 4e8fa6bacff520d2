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

	"popvault/archive"
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
	for _, user := range []string{d.User, d.User2} {
		if left, _ := d.CountOf(user); left != 0 {
			t.Fatalf("%d left in %s's maildrop", left, user)
		}
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
		// Searchable when import ends, unless told not to index.
		if n := w.searchable(); n != 60 {
			t.Fatalf("after import %s the search index holds %d of 60", format, n)
		}
		if format == "mbox" {
			x := newVault(t)
			x.ok("", "import", "--format", format, out, "--no-index")
			if n := x.searchable(); n != 0 {
				t.Fatalf("import --no-index indexed %d", n)
			}
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
		{"account", "remove", "--name", "nobody"},
		{"account", "edit", "--name", "nobody", "--timeout", "5s"},
		{"frobnicate"},
	} {
		_, errs, code := v.run("", args...)
		if code == 0 || strings.Count(strings.TrimSpace(errs), "\n") > 0 || !strings.HasPrefix(errs, "popvault: ") {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
		if twice := saidTwice(errs); twice != "" {
			t.Errorf("%v: the error says %q twice: %q", args, twice, errs)
		}
	}
	_, errs, _ = v.run("pw\n", "account", "add", "--name", "clear", "--host", "127.0.0.1", "--security", "plain", "--user", "u", "--password-stdin")
	if !strings.Contains(errs, "unencrypted") {
		t.Errorf("no warning for plain: %q", errs)
	}
	// The password is in the fallback file in the config folder, mode
	// 0600 in a 0700 folder, never in the archive or beside it.
	fi, err := os.Stat(filepath.Join(v.config, "popvault", "secrets.json"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file: %v %v", fi, err)
	}
	if fi, err := os.Stat(filepath.Join(v.config, "popvault")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("config folder: %v %v", fi, err)
	}
	if fileExists(filepath.Join(filepath.Dir(v.path), "secrets.json")) {
		t.Fatal("a password file beside the archive")
	}
	raw, _ := os.ReadFile(v.path)
	if bytes.Contains(raw, []byte("wrong-password")) {
		t.Fatal("the archive holds a password")
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
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
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

// saidTwice returns a prefix an error repeats ("archive: archive: not
// found"), or "".
func saidTwice(msg string) string {
	seen := map[string]bool{}
	for _, part := range strings.Split(strings.TrimSpace(msg), ": ") {
		switch part {
		case "popvault", "archive", "fetch", "pop3", "import", "export":
			if seen[part] {
				return part
			}
			seen[part] = true
		}
	}
	return ""
}

// searchable is how many messages the vault's search index holds, read
// without indexing any.
func (v *vault) searchable() int {
	v.t.Helper()
	a, err := archive.Open(v.path, nil)
	if err != nil {
		v.t.Fatal(err)
	}
	defer a.Close()
	n, err := a.Searchable()
	if err != nil {
		v.t.Fatal(err)
	}
	return n
}
