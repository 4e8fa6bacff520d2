package release

import (
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"popvault/tools/xvfb"
)

// aptGet runs apt-get as root: itself when the test is root, else through
// sudo, which make test's users are allowed for apt-get (the README).
func aptGet(args ...string) *exec.Cmd {
	if os.Geteuid() == 0 {
		return exec.Command("apt-get", args...)
	}
	return exec.Command("sudo", append([]string{"-n", "apt-get"}, args...)...)
}

// debField reads one field of a .deb's control file.
func debField(t *testing.T, deb, field string) string {
	t.Helper()
	out, err := exec.Command("dpkg-deb", "--field", deb, field).Output()
	if err != nil {
		t.Fatalf("dpkg-deb --field %s: %v", field, err)
	}
	return strings.TrimSpace(string(out))
}

// The .deb: what it declares and holds, then installed with apt-get as a
// user would, run from its desktop entry, and removed again.
func TestDeb(t *testing.T) {
	skipShort(t)
	if out, err := exec.Command("dpkg-query", "-W", "-f=${Status} ${Version}", "popvault").Output(); err == nil && strings.Contains(string(out), "install ok installed") {
		t.Fatalf("popvault %s is installed on this machine; this test installs and removes its own package: remove it first (apt-get remove popvault)", out)
	}
	dist := build(t, "deb")
	v := version(t)
	deb := filepath.Join(dist, "popvault_"+v+"_amd64.deb")
	if _, err := os.Stat(deb); err != nil {
		t.Fatal(err)
	}
	if got := debField(t, deb, "Version"); got != v {
		t.Errorf("Version %q, want %q", got, v)
	}
	depends := debField(t, deb, "Depends")
	for _, lib := range []string{"libc6", "libgl1", "libx11-6"} {
		if !regexp.MustCompile(`(^|, )` + lib + `( |,|$)`).MatchString(depends) {
			t.Errorf("Depends %q lacks %s", depends, lib)
		}
	}
	// What it holds, taken apart.
	tree := t.TempDir()
	if out, err := exec.Command("dpkg-deb", "-x", deb, tree).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v: %s", err, out)
	}
	entry := filepath.Join(tree, "usr/share/applications/io.popvault.app.desktop")
	if out, err := exec.Command("desktop-file-validate", entry).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("desktop-file-validate: %v: %s", err, out)
	}
	desktop, _ := os.ReadFile(entry)
	toml, _ := os.ReadFile(filepath.Join(root, "FyneApp.toml"))
	for key, tomlKey := range map[string]string{"GenericName": "GenericName", "Comment": "Comment", "Categories": "Categories", "Keywords": "Keywords"} {
		value := regexp.MustCompile(`(?m)^` + key + `=(.*)$`).FindSubmatch(desktop)
		want := regexp.MustCompile(`(?m)^\s*` + tomlKey + ` = (.*)$`).FindSubmatch(toml)
		if value == nil || want == nil || tomlValue(string(want[1])) != strings.TrimSuffix(string(value[1]), ";") {
			t.Errorf("the desktop entry's %s (%q) is not FyneApp.toml's (%q)", key, value, want)
		}
	}
	page := gunzip(t, filepath.Join(tree, "usr/share/man/man1/popvault.1.gz"))
	if !strings.HasPrefix(page, ".TH POPVAULT 1 ") || !strings.Contains(page, `"`+v+`"`) || !strings.Contains(page, "restore") {
		t.Errorf("the man page: %.200q", page)
	}
	completion, _ := os.ReadFile(filepath.Join(tree, "usr/share/bash-completion/completions/popvault"))
	if !strings.Contains(string(completion), "complete -F _popvault popvault") {
		t.Errorf("the bash completion: %.200q", completion)
	}
	if _, err := os.Stat(filepath.Join(tree, "usr/share/icons/hicolor/512x512/apps/io.popvault.app.png")); err != nil {
		t.Error(err)
	}

	// Installed, as the README tells users to.
	if out, err := aptGet("install", "-y", "-q", deb).CombinedOutput(); err != nil {
		t.Fatalf("apt-get install %s: %v\n%s", deb, err, out)
	}
	removed := false
	remove := func() {
		if removed {
			return
		}
		removed = true
		if out, err := aptGet("remove", "-y", "-q", "popvault").CombinedOutput(); err != nil {
			t.Errorf("apt-get remove popvault: %v\n%s", err, out)
		}
	}
	t.Cleanup(remove)
	out, err := exec.Command("/usr/bin/popvault", "--version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "popvault "+v {
		t.Errorf("the installed popvault --version: %q, %v", out, err)
	}
	installed, err := os.ReadFile("/usr/share/applications/io.popvault.app.desktop")
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`(?m)^Exec=(.*)$`).FindSubmatch(installed)
	if line == nil {
		t.Fatal("the installed desktop entry has no Exec line")
	}
	class := regexp.MustCompile(`(?m)^StartupWMClass=(.*)$`).FindSubmatch(installed)
	if class == nil {
		t.Fatal("the installed desktop entry has no StartupWMClass, by which docks match its window")
	}
	windowFromExec(t, strings.Fields(string(line[1])), string(class[1]))
	remove()
	if _, err := os.Stat("/usr/bin/popvault"); err == nil {
		t.Error("/usr/bin/popvault is still there after apt-get remove")
	}
}

// windowFromExec runs a desktop entry's command line under Xvfb, as a
// launcher would (for a user with no mail yet), and waits for the window,
// whose class must be the entry's StartupWMClass.
func windowFromExec(t *testing.T, argv []string, class string) {
	display := xvfb.Start(t)
	home := t.TempDir()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent", "POPVAULT_ARCHIVE=")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	shot := filepath.Join(t.TempDir(), "deb.png")
	waitForWindow(t, display, shot, 60*time.Second)
	if _, err := xvfb.Output(display, "xdotool", "search", "--class", "^"+regexp.QuoteMeta(class)+"$"); err != nil {
		t.Errorf("no window of class %q: the desktop entry's StartupWMClass does not match the window", class)
	}
	keepScreenshot(t, shot, "deb.png")
}

// tomlValue is a FyneApp.toml value as a desktop entry writes it: a
// string unquoted, a list joined with ";".
func tomlValue(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "[") {
		var items []string
		for _, item := range strings.Split(strings.Trim(v, "[]"), ",") {
			items = append(items, strings.Trim(strings.TrimSpace(item), `"`))
		}
		return strings.Join(items, ";")
	}
	return strings.Trim(v, `"`)
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
