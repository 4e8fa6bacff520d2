package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"popvault/archive"
	"popvault/internal/mailgen"
)

// storeCorpus fills an archive with generated mail plus messages whose
// body lines begin with "From " (the mbox trap), and returns their
// Message-IDs, sorted.
func storeCorpus(t *testing.T, v *vault, n int) []string {
	a, err := archive.Open(v.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var batch []archive.Incoming
	var ids []string
	for i, m := range mailgen.Corpus(n, 21) {
		data := m.Data
		if i%10 == 0 {
			data = append(data, []byte("From the desk of the editor\r\n>From quoted\r\n")...)
		}
		batch = append(batch, archive.Incoming{Account: "a", UID: strconv.Itoa(i), Raw: data})
		ids = append(ids, m.MessageID)
	}
	if _, err := a.Store(batch); err != nil {
		t.Fatal(err)
	}
	sort.Strings(ids)
	return ids
}

// muttCopy opens mbox in mutt inside a private tmux server, waits for it
// to show the mailbox, tags all, copies the tagged messages to a Maildir
// at dest, and returns the Message-IDs found there. Keys are sent only
// once mutt shows it is ready: keys typed ahead are lost while it reads.
func muttCopy(t *testing.T, mbox, dest string, n int) []string {
	sock := fmt.Sprintf("popvault-test-%d", os.Getpid())
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil && args[0] != "kill-server" {
			t.Fatalf("tmux %v: %v: %s", args, err, out)
		}
		return string(out)
	}
	mutt := fmt.Sprintf("env TERM=xterm HOME=%s mutt -n -F /dev/null -f %s -e 'set folder=%s' -e 'set mbox_type=Maildir' -e 'set confirmcreate=no' -e 'set confirmappend=no'", filepath.Dir(dest), mbox, filepath.Dir(dest))
	tmux("new-session", "-d", "-s", "m", "-x", "200", "-y", "50", mutt)
	defer tmux("kill-server")
	wait := func(what string, done func(screen string) bool) {
		for i := 0; i < 300; i++ {
			if done(tmux("capture-pane", "-p", "-t", "m")) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("mutt never showed %s:\n%s", what, tmux("capture-pane", "-p", "-t", "m"))
	}
	wait("the mailbox", func(s string) bool { return strings.Contains(s, fmt.Sprintf("Msgs:%d", n)) })
	tmux("send-keys", "-t", "m", "T", "~A", "Enter")
	wait("the tags", func(s string) bool { return strings.Contains(s, fmt.Sprintf("Tag:%d", n)) })
	tmux("send-keys", "-t", "m", `\;`, "C", dest, "Enter")
	wait("the copy", func(string) bool { return len(maildirIDs(dest)) == n })
	tmux("send-keys", "-t", "m", "q")
	return maildirIDs(dest)
}

// maildirIDs reads the Message-IDs of a Maildir's files.
func maildirIDs(dir string) []string {
	var out []string
	for _, sub := range []string{"new", "cur"} {
		files, _ := filepath.Glob(filepath.Join(dir, sub, "*"))
		for _, f := range files {
			b, _ := os.ReadFile(f)
			for _, line := range strings.Split(string(b), "\n") {
				if strings.HasPrefix(strings.ToLower(line), "message-id:") {
					out = append(out, strings.Trim(strings.TrimSpace(line[11:]), "<>\r"))
					break
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// pythonIDs lists the Message-IDs Python's mailbox module reads.
func pythonIDs(t *testing.T, kind, path string) []string {
	script := fmt.Sprintf(`import mailbox, sys
box = mailbox.%s(sys.argv[1], create=False)
for m in box:
    print(m["Message-ID"].strip().strip("<>"))
`, kind)
	out, err := exec.Command("python3", "-c", script, path).Output()
	if err != nil {
		t.Fatalf("python3 mailbox.%s: %v", kind, err)
	}
	return sortedLines(string(out))
}

func sortedLines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

func sameIDs(t *testing.T, who string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s read %d messages, want %d (first: %v)", who, len(got), len(want), got[:min(3, len(got))])
	}
}

func TestExportsReadByMailPrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Python, mutt, tmux and notmuch: make check (-short) skips it, make test runs it")
	}
	v := newVault(t)
	want := storeCorpus(t, v, 60)
	dir := t.TempDir()
	mbox, maildir, eml := filepath.Join(dir, "out.mbox"), filepath.Join(dir, "out-maildir"), filepath.Join(dir, "eml")
	v.ok("", "export", "--format", "mbox", "--out", mbox)
	v.ok("", "export", "--format", "maildir", "--out", maildir)
	v.ok("", "export", "--format", "eml", "--out", eml)

	sameIDs(t, "Python mailbox.mbox", pythonIDs(t, "mbox", mbox), want)
	sameIDs(t, "Python mailbox.Maildir", pythonIDs(t, "Maildir", maildir), want)

	// mutt reads the mbox: driven through tmux, it tags every message and
	// copies them into a Maildir.
	sameIDs(t, "mutt", muttCopy(t, mbox, filepath.Join(dir, "mutt-copy"), len(want)), want)

	// notmuch indexes the Maildir export.
	cfg := filepath.Join(dir, "notmuch-config")
	os.WriteFile(cfg, []byte("[database]\npath="+maildir+"\n[new]\ntags=new\n"), 0o600)
	nm := func(args ...string) string {
		c := exec.Command("notmuch", append([]string{"--config=" + cfg}, args...)...)
		c.Env = append(os.Environ(), "HOME="+dir)
		out, err := c.Output()
		if err != nil {
			t.Fatalf("notmuch %v: %v", args, err)
		}
		return string(out)
	}
	nm("new")
	if got := strings.TrimSpace(nm("count", "*")); got != strconv.Itoa(len(want)) {
		t.Fatalf("notmuch counted %s, want %d", got, len(want))
	}
	var nmIDs []string
	for _, l := range sortedLines(nm("search", "--output=messages", "*")) {
		nmIDs = append(nmIDs, strings.TrimPrefix(l, "id:"))
	}
	sort.Strings(nmIDs)
	sameIDs(t, "notmuch", nmIDs, want)

	// .eml files hold the stored bytes exactly.
	for _, l := range v.listJSON() {
		stored := v.ok("", "show", "--raw", strconv.FormatUint(l.ID, 10))
		file, err := os.ReadFile(filepath.Join(eml, fmt.Sprintf("%08d.eml", l.ID)))
		if err != nil || string(file) != stored {
			t.Fatalf("message %d: .eml differs from the archive (%v)", l.ID, err)
		}
	}
}
