package cli

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"

	"popvault/archive"
	"popvault/fetch/pop3test"
	"popvault/health"
	"popvault/oauth/oauthtest"
)

// notified is one Notify the recording service received.
type notified struct {
	sender, title, body string
	pid                 uint32 // the sender's process
}

// notificationService is a freedesktop notification service on a
// private session bus that records what it is sent, and closes each
// notification at once, so that the waiter popvault starts for a click
// ends.
type notificationService struct {
	conn  *dbus.Conn
	calls chan notified
	next  uint32
}

// privateSessionBus starts a dbus-daemon of the test's own with a
// recording notification service on it, and returns its address.
func privateSessionBus(t *testing.T) (string, *notificationService) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs dbus-daemon, for a session bus of the test's own: make check (-short) skips it, make test runs it")
	}
	// A bus with no services to activate: the session's own config would
	// start a gnome-keyring, whose locked collection the passwords would
	// then be refused by.
	conf := filepath.Join(t.TempDir(), "bus.conf")
	os.WriteFile(conf, []byte(`<busconfig><type>session</type><listen>unix:tmpdir=`+os.TempDir()+`</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>`), 0o600)
	cmd := exec.Command("dbus-daemon", "--config-file="+conf, "--print-address", "--nofork")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("dbus-daemon: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon printed no address: %v", err)
	}
	addr = strings.TrimSpace(addr)
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &notificationService{conn: conn, calls: make(chan notified, 8)}
	const path, iface = dbus.ObjectPath("/org/freedesktop/Notifications"), "org.freedesktop.Notifications"
	err = conn.ExportMethodTable(map[string]any{
		"Notify": func(sender dbus.Sender, app string, replace uint32, icon, title, body string, actions []string, hints map[string]dbus.Variant, expire int32) (uint32, *dbus.Error) {
			s.next++
			id := s.next
			var pid uint32
			conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, string(sender)).Store(&pid)
			s.calls <- notified{string(sender), title, body, pid}
			// Closed at once (reason 2, dismissed): the waiter ends.
			go func() {
				conn.Send(&dbus.Message{Type: dbus.TypeSignal, Headers: map[dbus.HeaderField]dbus.Variant{
					dbus.FieldPath: dbus.MakeVariant(path), dbus.FieldInterface: dbus.MakeVariant(iface),
					dbus.FieldMember: dbus.MakeVariant("NotificationClosed"), dbus.FieldDestination: dbus.MakeVariant(string(sender)),
					dbus.FieldSignature: dbus.MakeVariant(dbus.SignatureOf(id, uint32(2))),
				}, Body: []any{id, uint32(2)}}, nil)
			}()
			return id, nil
		},
		"GetCapabilities":      func() ([]string, *dbus.Error) { return []string{"actions", "body"}, nil },
		"CloseNotification":    func(uint32) *dbus.Error { return nil },
		"GetServerInformation": func() (string, string, string, string, *dbus.Error) { return "rec", "popvault tests", "1", "1.2", nil },
	}, path, iface)
	if err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(iface, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("taking %s: %v, %v", iface, reply, err)
	}
	return addr, s
}

// took returns the notification the last run sent, or fails; Send
// returns only once the service has it, so after a run, what it sent is
// here.
func (s *notificationService) took(t *testing.T) notified {
	t.Helper()
	select {
	case n := <-s.calls:
		// Its waiter ends once the notification is closed.
		waitExit(t, int(n.pid))
		return n
	default:
		t.Fatal("no notification was sent")
	}
	return notified{}
}

func (s *notificationService) none(t *testing.T, when string) {
	t.Helper()
	select {
	case n := <-s.calls:
		t.Fatalf("%s: a notification %q: %q", when, n.title, n.body)
	default:
	}
}

// TestNotifications: unattended runs (fetch --quiet) notify once when an
// account starts failing (its second failure in a row), not again in the
// same run of failures, at once when a sign-in must be renewed; with no
// desktop session nothing, and no process is left behind.
func TestNotifications(t *testing.T) {
	addr, service := privateSessionBus(t)
	probe := make([]byte, 8)
	rand.Read(probe)
	t.Setenv("POPVAULT_LEAK_PROBE", hex.EncodeToString(probe))
	wrong := pop3test.NewTLSServer(pop3test.Config{User: "alice", Password: "changed"})
	defer wrong.Close()
	p := oauthtest.NewServer("popvault-test", "s3cret")
	defer p.Close()
	good := pop3test.NewTLSServer(pop3test.Config{Messages: []pop3test.Message{{UID: "1", Data: []byte("Subject: hi\r\n\r\nhello\r\n")}}, ValidToken: p.Valid})
	defer good.Close()
	gone := pop3test.NewTLSServer(pop3test.Config{})

	v := newVault(t)
	exe, _ := os.Executable()
	v.extra = func(e *Env) { e.Exe = exe }
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	v.now = func() time.Time { return now }
	v.bus = addr
	v.addOn(gone, "down", "secret")
	gone.Close() // the server is down: its port refuses connections
	v.addOn(wrong, "old isp", "secret")

	failing := func(account string) {
		t.Helper()
		if _, _, code := v.run("", "fetch", "--quiet", "--account", account); code != 1 {
			t.Fatalf("a fetch of %s: exit %d, want a failure", account, code)
		}
	}
	failing("down")
	service.none(t, "the first failure")
	now = now.Add(time.Hour)
	failing("down")
	n := service.took(t)
	if n.title != "down: backups have stopped" || !strings.Contains(n.body, "the server refused the connection") {
		t.Errorf("the notification: %+v", n)
	}
	now = now.Add(time.Hour)
	failing("down")
	service.none(t, "a third failure in the same run")

	// A refused password, and a revoked sign-in, tell at once.
	failing("old isp")
	n = service.took(t)
	if n.title != "old isp: the server refused the password" || !strings.Contains(n.body, "Check the password") {
		t.Errorf("the notification of a refused password: %+v", n)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, good.CertPEM(), 0o600)
	port := good.Addr[strings.LastIndexByte(good.Addr, ':')+1:]
	v.signInCLIWith(p, "s3cret\n", "account", "add", "--name", "gmail", "--email", "alice@example.org", "--user", "alice",
		"--oauth", "custom", "--client-id", "popvault-test", "--client-secret-stdin",
		"--auth-url", p.URL+"/authorize", "--token-url", p.URL+"/token", "--scope", "mail",
		"--host", "127.0.0.1", "--port", port, "--ca-file", ca, "--no-browser")
	v.ok("", "fetch", "--quiet", "--account", "gmail")
	p.Revoke()
	p.Advance(2 * time.Hour)
	failing("gmail")
	n = service.took(t)
	if n.title != "gmail: the sign-in must be renewed" || !strings.Contains(n.body, "popvault account signin --name gmail") {
		t.Errorf("the notification of a revoked sign-in: %+v", n)
	}

	// No desktop session: nothing shown, nothing recorded, nothing left.
	if _, err := os.Stat(filepath.Join("/run/user", strconv.Itoa(os.Getuid()), "bus")); err == nil {
		t.Fatal("this machine has a session bus at /run/user/UID/bus, which a run with no session variables finds: the test cannot run without a session here")
	}
	v.bus = noBus
	lost := pop3test.NewTLSServer(pop3test.Config{})
	v.addOn(lost, "lost", "secret")
	lost.Close()
	for range 2 {
		now = now.Add(time.Hour)
		v.run("", "fetch", "--quiet", "--account", "lost")
	}
	service.none(t, "no session")
	out, _, _ := v.run("", "status", "--json")
	if !strings.Contains(out, `"account":"lost","state":"failing"`) {
		t.Errorf("status: %s", out)
	}
	arch, err := archive.Open(v.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := health.Load(arch, "lost")
	arch.Close()
	if err != nil || !rec.LastNotified.IsZero() {
		t.Errorf("with no session, the record says it notified: %+v, %v", rec, err)
	}
	if left := leftBehind("POPVAULT_LEAK_PROBE=" + hex.EncodeToString(probe)); len(left) > 0 {
		t.Errorf("processes outlive the runs: %s", strings.Join(left, ", "))
	}
}

// leftBehind lists the processes, other than this one, whose environment
// holds kv.
func leftBehind(kv string) []string {
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

// waitExit waits for the process pid to end (a pidfd becomes readable
// then), if it has not.
func waitExit(t *testing.T, pid int) {
	t.Helper()
	if pid == 0 {
		t.Fatal("the notification's sender has no process id")
	}
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return // gone already (ESRCH)
	}
	defer unix.Close(fd)
	for {
		_, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, -1)
		if err != unix.EINTR {
			return
		}
	}
}
