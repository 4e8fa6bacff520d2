package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"popvault/archive"
	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
)

// vault runs the command line in this process on one archive, as
// popvault --archive PATH would, with a config folder of its own and no
// keyring: passwords go to the file there. What a process alone shows
// (exit status from the kernel, signals, cron's environment) is tested
// with the real binary in cmd/popvault.
type vault struct {
	t      *testing.T
	path   string
	config string            // XDG_CONFIG_HOME
	vars   map[string]string // what Env.Getenv answers
}

func newVault(t *testing.T) *vault {
	return &vault{t: t, path: filepath.Join(t.TempDir(), "archive.db"), config: t.TempDir()}
}

// env is the Env of one run. The engine finds the config folder and the
// session bus in the process's own environment: this run's are set for
// the rest of the test (t.Setenv), a session bus that does not answer
// among them, so that the keyring is absent, as under cron, and a
// developer's own keyring is never written.
func (v *vault) env(stdin io.Reader, stdout, stderr io.Writer) Env {
	v.t.Setenv("XDG_CONFIG_HOME", v.config)
	v.t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
	return Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: func(k string) string { return v.vars[k] }}
}

// run runs popvault --archive v.path args and returns stdout, stderr and
// the exit status.
func (v *vault) run(stdin string, args ...string) (string, string, int) {
	v.t.Helper()
	var out, errs syncBuffer
	code := Run(context.Background(), append([]string{"--archive", v.path}, args...), v.env(strings.NewReader(stdin), &out, &errs))
	return out.String(), errs.String(), code
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

// searchable is how many messages the vault's search index holds, read
// without indexing any.
func (v *vault) searchable() int {
	v.t.Helper()
	a, err := archive.Open(v.path, nil)
	if err != nil {
		v.t.Fatal(err)
	}
	defer a.Close()
	n, err := a.SearchIndex().Searchable()
	if err != nil {
		v.t.Fatal(err)
	}
	return n
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

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// syncBuffer is a bytes.Buffer that the command line may write to from
// several goroutines while a test reads it.
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

// Progress, results and notes reach one stream from several goroutines
// (the fetching accounts, the keyring's warnings, restore's connections),
// through the text filter or around it: each write arrives whole, and the
// race detector sees no two at once.
func TestStreamsTakeWritesFromGoroutines(t *testing.T) {
	var stderr bytes.Buffer // no lock of its own, as a test's or a pipe's writer may have none
	c := newSession(Env{Stderr: &stderr})
	const writers, lines = 8, 200
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range lines {
				w := c.stderr
				if j%2 == 1 {
					w = c.terminal
				}
				fmt.Fprintf(w, "writer %d line %d é\n", i, j)
			}
		}()
	}
	wg.Wait()
	got := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
	if len(got) != writers*lines {
		t.Fatalf("%d lines, want %d", len(got), writers*lines)
	}
	for _, l := range got {
		var i, j int
		if n, err := fmt.Sscanf(l, "writer %d line %d é", &i, &j); n != 2 || err != nil {
			t.Fatalf("a line came apart: %q", l)
		}
	}
}
