package release

import (
	"archive/zip"
	"bytes"
	"debug/pe"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"popvault/archive"
	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
	"popvault/tools/wine"
	"popvault/tools/xvfb"
)

// windowsRelease builds the Windows zip once for the package's tests and
// unpacks it; its folder holds popvault.exe, popvault.com and README.txt.
func windowsRelease(t *testing.T) string {
	t.Helper()
	dist := build(t, "package-windows")
	zr, err := zip.OpenReader(filepath.Join(dist, "popvault-windows-amd64.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := t.TempDir()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Join(out, filepath.Dir(f.Name)), 0o755)
		if err := os.WriteFile(filepath.Join(out, f.Name), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(names)
	if want := []string{"popvault/README.txt", "popvault/popvault.com", "popvault/popvault.exe"}; !slices.Equal(names, want) {
		t.Fatalf("the zip holds %q, want %q", names, want)
	}
	return filepath.Join(out, "popvault")
}

// One build, one Wine prefix, one Dovecot for the whole Windows story.
func TestWindows(t *testing.T) {
	dir := windowsRelease(t)
	prefix, err := wine.Open(filepath.Join(t.TempDir(), "wine"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prefix.Close() })
	t.Run("binaries", func(t *testing.T) { windowsBinaries(t, dir) })
	t.Run("console", func(t *testing.T) { windowsConsole(t, prefix, dir) })
	t.Run("command line", func(t *testing.T) { windowsCommandLine(t, prefix, dir) })
	t.Run("window", func(t *testing.T) { windowsWindow(t, prefix, dir) })
}

// popvault.exe is a GUI program (a double-click opens no console),
// popvault.com the same program for the console; both carry the icon, the
// manifest and the release's version in their resources.
func windowsBinaries(t *testing.T, dir string) {
	v := version(t)
	for name, want := range map[string]uint16{"popvault.exe": pe.IMAGE_SUBSYSTEM_WINDOWS_GUI, "popvault.com": pe.IMAGE_SUBSYSTEM_WINDOWS_CUI} {
		f, err := pe.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.OptionalHeader.(*pe.OptionalHeader64).Subsystem; got != want {
			t.Errorf("%s: subsystem %d, want %d", name, got, want)
		}
		rsrc := f.Section(".rsrc")
		if rsrc == nil {
			t.Fatalf("%s: no resources", name)
		}
		data, _ := rsrc.Data()
		f.Close()
		for what, needle := range map[string][]byte{
			"the version":  utf16le(v),
			"the manifest": []byte(`name="io.popvault.app"`),
			"the icon":     []byte("\x89PNG"),
		} {
			if !bytes.Contains(data, needle) {
				t.Errorf("%s: its resources lack %s", name, what)
			}
		}
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, u := range utf16.Encode([]rune(s)) {
		b = append(b, byte(u), byte(u>>8))
	}
	return b
}

// From a shell: popvault.com answers on the shell's output with its exit
// status; popvault.exe, a GUI program, still prints to the console of the
// shell that started it (attachConsole): started as Windows' start does,
// with no standard handles of its own, in a console (a terminal of
// script's), it prints only by attaching to it.
func windowsConsole(t *testing.T, prefix *wine.Prefix, dir string) {
	v := version(t)
	out, _, status := run(t, prefix.Command(filepath.Join(dir, "popvault.com"), "--version"), "")
	if status != 0 || strings.TrimSpace(out) != "popvault "+v {
		t.Errorf("popvault.com --version: %q, status %d", out, status)
	}
	_, errs, status := run(t, prefix.Command(filepath.Join(dir, "popvault.com"), "nonsense"), "")
	if status != 1 || !strings.Contains(errs, `unknown command "nonsense"`) {
		t.Errorf("popvault.com nonsense: status %d, %q", status, errs)
	}
	line := "wine start /wait /unix " + shellQuote(filepath.Join(dir, "popvault.exe")) + " --version; sleep 1"
	cmd := exec.Command("script", "-qec", line, "/dev/null")
	cmd.Env = prefix.Env()
	out, _, status = run(t, cmd, "")
	if status != 0 || !strings.Contains(out, "popvault "+v) {
		t.Errorf("popvault.exe --version in a console: %q, status %d", out, status)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// The command line end to end, as a Windows user runs it: an account
// whose password goes to Credential Manager, a fetch over TLS checked
// against a CA file named by a Windows path, a search, exports, verify;
// the stored and exported bytes are the server's, and the archive opens
// on Linux as it was written on Windows.
func windowsCommandLine(t *testing.T, prefix *wine.Prefix, dir string) {
	g := mailgen.New(16)
	var msgs [][]byte
	for range 12 {
		msgs = append(msgs, g.Next().Data)
	}
	srv := dovecot.StartForTest(t, msgs...)
	work := filepath.Join(t.TempDir(), "My Mail") // a space, a drive letter and backslashes
	os.MkdirAll(work, 0o755)
	archivePath := filepath.Join(work, "archive.db")
	popvault := func(stdin string, args ...string) (string, string) {
		t.Helper()
		out, errs, status := run(t, prefix.Command(filepath.Join(dir, "popvault.com"), append([]string{"--archive", wine.Path(archivePath)}, args...)...), stdin)
		if status != 0 {
			t.Fatalf("popvault %s: status %d\n%s%s", strings.Join(args, " "), status, out, errs)
		}
		return out, errs
	}
	out, _ := popvault(srv.Password+"\n", "account", "add", "--name", "dovecot", "--host", "localhost",
		"--port", fmt.Sprint(srv.TLSPort), "--security", "tls", "--ca-file", wine.Path(srv.CAFile), "--user", srv.User, "--password-stdin")
	if !strings.Contains(out, "Credential Manager") {
		t.Errorf("account add does not say where the password went: %q", out)
	}
	_, errs := popvault("", "fetch")
	if !strings.Contains(errs, "12 new") {
		t.Errorf("fetch said %q", errs)
	}
	want := map[string]bool{}
	for _, m := range msgs {
		want[string(bytes.ReplaceAll(m, []byte("\r\n"), []byte("\n")))] = true // the Maildir's LF; Dovecot sends CRLF
	}
	subject := mailgen.New(16).Next().Subject
	out, _ = popvault("", "list", "--search", "subject:"+strings.Fields(subject)[0])
	if !strings.Contains(out, subject) {
		t.Errorf("list --search found %q, not %q", out, subject)
	}
	md := filepath.Join(work, "export", "maildir")
	popvault("", "export", "--format", "maildir", "--out", wine.Path(md))
	entries, _ := os.ReadDir(filepath.Join(md, "cur"))
	got := map[string]bool{}
	for _, e := range entries {
		if !strings.Contains(e.Name(), ";2,") || strings.Contains(e.Name(), ":") {
			t.Errorf("a Maildir name Windows would refuse or misread: %q", e.Name())
		}
		b, _ := os.ReadFile(filepath.Join(md, "cur", e.Name()))
		if !bytes.Contains(b, []byte("\r\n")) {
			t.Errorf("%s: not the CRLF bytes the server sent", e.Name())
		}
		got[string(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")))] = true
	}
	if len(got) != len(want) || !mapsEqual(got, want) {
		t.Errorf("the exported Maildir holds %d messages, %d of them the server's", len(got), countIn(got, want))
	}
	mbox := filepath.Join(work, "export", "all.mbox")
	popvault("", "export", "--format", "mbox", "--out", wine.Path(mbox))
	out, _ = popvault("", "verify")
	if !strings.Contains(strings.ToLower(out), "12 messages") {
		t.Errorf("verify said %q", out)
	}
	// On Linux: the archive Windows wrote, and the mbox it exported.
	a, err := archive.Open(archivePath, &archive.Options{NoFullText: true})
	if err != nil {
		t.Fatal(err)
	}
	stored := rawMessages(t, a)
	a.Close()
	imported, err := archive.Open(filepath.Join(t.TempDir(), "imported.db"), &archive.Options{NoFullText: true})
	if err != nil {
		t.Fatal(err)
	}
	defer imported.Close()
	if _, err := imported.Import(archive.FormatMbox, mbox, ""); err != nil {
		t.Fatal(err)
	}
	for name, set := range map[string]map[string]bool{"the archive": stored, "the mbox": rawMessages(t, imported)} {
		if !mapsEqual(set, want) {
			t.Errorf("%s Windows wrote holds %d messages, %d of them the server's", name, len(set), countIn(set, want))
		}
	}
}

// rawMessages is every message of an archive, its line ends made LF.
func rawMessages(t *testing.T, a *archive.Archive) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	q := archive.Query{Limit: 1000}
	for {
		page, err := a.List(q)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Messages {
			raw, err := a.Raw(s.ID)
			if err != nil {
				t.Fatal(err)
			}
			out[string(bytes.ReplaceAll(raw, []byte("\r\n"), []byte("\n")))] = true
		}
		if page.Next == nil {
			return out
		}
		q.Before = page.Next
	}
}

func mapsEqual(a, b map[string]bool) bool { return len(a) == len(b) && countIn(a, b) == len(a) }

func countIn(a, b map[string]bool) int {
	n := 0
	for k := range a {
		if b[k] {
			n++
		}
	}
	return n
}

// The window under Wine on a virtual display: popvault.exe --demo opens
// and paints its message list.
func windowsWindow(t *testing.T, prefix *wine.Prefix, dir string) {
	display := xvfb.Start(t)
	cmd := prefix.Command(filepath.Join(dir, "popvault.exe"), "--demo")
	cmd.Env = append(cmd.Env, "DISPLAY="+display)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	shot := filepath.Join(t.TempDir(), "wine.png")
	waitForWindow(t, display, shot, 90*time.Second)
	keepScreenshot(t, shot, "windows-wine.png")
}

// waitForWindow waits for a window named popvault to show its message
// list (the area under the toolbar no longer one colour).
func waitForWindow(t *testing.T, display, shot string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if _, err := xvfb.Output(display, "xdotool", "search", "--name", "^popvault"); err == nil {
			time.Sleep(2 * time.Second) // the list fills in
			if img := xvfb.Screenshot(display, shot); img != nil && !xvfb.Uniform(img, img.Bounds().Inset(200)) {
				return
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("no popvault window painted on %s within %v", display, limit)
}
