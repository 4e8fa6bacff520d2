package cli

import (
	"errors"
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
	"popvault/schedule"
)

// TestScheduleOnWithTheKeyring is `popvault schedule on` against a real
// gnome-keyring on the desktop's session bus, and then the job's own run,
// `fetch --quiet` in the job's environment (schedule.JobEnvironment: no
// session variables, as cron and a systemd timer give it): what the
// check says of an account, the job then does. An account whose
// password is in the unlocked keyring passes, and the job fetches; the
// same keyring locked, and then gone (nobody logged in), names the
// account with why and what to do, and the job fails. (In a namespace of
// its own, where a tmpfs over /run holds the test's bus at
// /run/user/UID/bus, the place a logged-in user's bus is found from a
// job: see inUserNamespace.)
func TestScheduleOnWithTheKeyring(t *testing.T) {
	if testing.Short() {
		t.Skip("needs dbus-daemon, gnome-keyring and a user namespace: make check (-short) skips it, make test runs it")
	}
	inUserNamespace(t, "TestScheduleOnWithTheKeyringInNamespace")
}

func TestScheduleOnWithTheKeyringInNamespace(t *testing.T) {
	if os.Getenv(inNamespaceEnv) == "" {
		t.Skip("the inner half of TestScheduleOnWithTheKeyring: it runs inside that test's namespace")
	}
	if err := syscall.Mount("tmpfs", "/run", "tmpfs", 0, "size=1m"); err != nil {
		t.Fatalf("a tmpfs over /run in the namespace: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount("/run", syscall.MNT_DETACH) })
	runDir := filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
	if err := os.MkdirAll(runDir, 0o700); err != nil {
		t.Fatal(err)
	}
	bus, stopDesktop := desktopKeyring(t, runDir)

	s := pop3test.NewTLSServer(pop3test.Config{Messages: []pop3test.Message{{UID: "1", Data: []byte("Subject: hi\r\n\r\nhello\r\n")}}})
	defer s.Close()
	v := newVault(t)
	v.bus = bus // the desktop's session, as the window and a terminal have it
	units := t.TempDir()
	v.extra = func(e *Env) {
		e.Scheduler = schedule.New(schedule.Options{Runner: &userManager{}, UnitDir: units})
		e.Exe = os.Args[0] // this test binary plays popvault: TestMain
	}
	// The login collection may still be unlocking when the keyring has
	// claimed its name: an add that finds it locked is tried again.
	for try := 1; ; try++ {
		_, errs, code := v.run("secret\n", "account", "add", "--name", "desk", "--host", "127.0.0.1", "--port", s.Addr[strings.LastIndexByte(s.Addr, ':')+1:],
			"--ca-file", caFile(t, s), "--user", "alice", "--password-stdin")
		if code == 0 {
			break
		}
		t.Logf("account add, try %d: %s", try, errs)
		if _, errs, code := v.run("", "account", "remove", "--name", "desk"); code != 0 && !strings.Contains(errs, `not found: account "desk"`) {
			t.Fatalf("account remove: %s", errs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := os.Stat(filepath.Join(v.config, "popvault", "secrets.json")); err == nil {
		t.Fatal("the password went to a file, not to the keyring")
	}

	// jobFetch is the job's run: `popvault --archive A fetch --quiet` with
	// the job's environment.
	jobFetch := func() (string, error) {
		cmd := exec.Command(os.Args[0], "--archive", v.path, "fetch", "--quiet")
		cmd.Env = schedule.JobEnvironment()
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	t.Run("unlocked", func(t *testing.T) {
		out, errs, code := v.run("", "schedule", "on", "--every", "30")
		if code != 0 || strings.Contains(errs, "would fail") || !strings.Contains(out, "on, every 30 minutes") {
			t.Fatalf("schedule on: exit %d\nstdout %q\nstderr %q", code, out, errs)
		}
		wantWords(t, out, "desktop's keyring", "while you are logged in")
		if out, err := jobFetch(); err != nil || s.Count("PASS") != 1 {
			t.Fatalf("the job's fetch: %v, %d logins\n%s", err, s.Count("PASS"), out)
		}
	})

	t.Run("locked", func(t *testing.T) {
		lockKeyring(t, bus)
		_, errs, code := v.run("", "schedule", "on", "--every", "30")
		if code != 1 || !strings.Contains(errs, "desk would fail when popvault is closed: ") {
			t.Fatalf("schedule on: exit %d, stderr %q", code, errs)
		}
		t.Logf("schedule on said: %s", errs)
		wantWords(t, errs, "locked", "unlock")
		out, err := jobFetch()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || s.Count("PASS") != 1 {
			t.Fatalf("the job's fetch with the keyring locked: %v, %d logins\n%s", err, s.Count("PASS"), out)
		}
		t.Logf("the job's fetch said: %s", out)
	})

	t.Run("gone", func(t *testing.T) {
		stopDesktop() // logged out: no bus at /run/user/UID/bus
		_, errs, code := v.run("", "schedule", "on", "--every", "30")
		if code != 1 || !strings.Contains(errs, "desk would fail when popvault is closed: ") {
			t.Fatalf("schedule on: exit %d, stderr %q", code, errs)
		}
		t.Logf("schedule on said: %s", errs)
		wantWords(t, errs, "can be read here", "no keyring is open", "nobody is logged in", "log in at the desktop", "popvault account edit --name desk")
		out, err := jobFetch()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || s.Count("PASS") != 1 {
			t.Fatalf("the job's fetch with no keyring: %v, %d logins\n%s", err, s.Count("PASS"), out)
		}
		t.Logf("the job's fetch said: %s", out)
		// What status and the notification read: not "none is
		// stored", which a password in the closed keyring is not.
		wantWords(t, string(out), "no keyring is open", "log in at the desktop")
	})
}

// wantWords checks that said holds each of words.
func wantWords(t *testing.T, said string, words ...string) {
	t.Helper()
	for _, w := range words {
		if !strings.Contains(said, w) {
			t.Errorf("%q does not say %q", said, w)
		}
	}
}

func caFile(t *testing.T, s *pop3test.Server) string {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, s.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	return ca
}

// desktopKeyring starts a session bus at runDir/bus and a gnome-keyring
// on it whose login collection is unlocked, as a desktop login leaves
// them; stop ends both and removes the bus's socket, as a logout does.
func desktopKeyring(t *testing.T, runDir string) (bus string, stop func()) {
	t.Helper()
	socket := filepath.Join(runDir, "bus")
	bus = "unix:path=" + socket
	home := t.TempDir()
	env := append(withoutSession(os.Environ()), "HOME="+home, "XDG_RUNTIME_DIR="+runDir)
	daemon := exec.Command("dbus-daemon", "--session", "--address="+bus, "--nofork", "--nopidfile", "--print-address")
	daemon.Env = env
	ready, err := daemon.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := daemon.Start(); err != nil {
		t.Fatalf("dbus-daemon (make deps installs it): %v", err)
	}
	if _, err := ready.Read(make([]byte, 1)); err != nil { // it prints its address once it listens
		t.Fatalf("dbus-daemon said nothing: %v", err)
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
	keyring := exec.Command("gnome-keyring-daemon", "--unlock", "--components=secrets", "--foreground")
	keyring.Env = append(env, "DBUS_SESSION_BUS_ADDRESS="+bus)
	keyring.Stdin = strings.NewReader("login password")
	if err := keyring.Start(); err != nil {
		t.Fatalf("gnome-keyring-daemon (make deps installs it): %v", err)
	}
	for sig := range claimed {
		if len(sig.Body) == 3 && sig.Body[2] != "" {
			break // a new owner of org.freedesktop.secrets
		}
	}
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		keyring.Process.Kill()
		keyring.Wait()
		daemon.Process.Kill()
		daemon.Wait()
		os.Remove(socket)
	}
	t.Cleanup(stop)
	return bus, stop
}

// lockKeyring locks the keyring's login collection, as a desktop does
// when asked to (Secret Service's Lock needs no prompt).
func lockKeyring(t *testing.T, bus string) {
	t.Helper()
	conn, err := dbus.Connect(bus)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").Call("org.freedesktop.Secret.Service.Lock", 0,
		[]dbus.ObjectPath{"/org/freedesktop/secrets/collection/login"}).Store(&locked, &prompt); err != nil || len(locked) != 1 {
		t.Fatalf("locking the keyring: %v (locked %v, prompt %s)", err, locked, prompt)
	}
}

// withoutSession is env without the desktop session's variables.
func withoutSession(env []string) []string {
	var out []string
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if name != "DBUS_SESSION_BUS_ADDRESS" && name != "XDG_RUNTIME_DIR" && name != "DISPLAY" && name != "WAYLAND_DISPLAY" {
			out = append(out, kv)
		}
	}
	return out
}

// inNamespaceEnv marks the inner half of inUserNamespace.
const inNamespaceEnv = "POPVAULT_CLI_IN_NAMESPACE"

// inUserNamespace runs the test named inner, of this test binary, again
// inside a user and mount namespace of its own, where it may mount a
// tmpfs over /run without being root and without touching the machine's.
func inUserNamespace(t *testing.T, inner string) {
	t.Helper()
	c := exec.Command(os.Args[0], "-test.run=^"+inner+"$", "-test.count=1", "-test.v")
	c.Env = append(os.Environ(), inNamespaceEnv+"=1")
	c.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	out, err := c.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("this kernel refuses a user namespace to this user (%v), which %s needs to mount a small filesystem without root. "+
			"Allow one: sysctl kernel.unprivileged_userns_clone=1 (Debian), user.max_user_namespaces=10000, "+
			"or on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0", err, t.Name())
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: "+inner) {
		t.Fatalf("%s, inside its namespace: %v\n%s", inner, err, out)
	}
	t.Logf("inside its namespace:\n%s", out)
}
