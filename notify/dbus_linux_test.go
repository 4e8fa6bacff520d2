package notify

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// openedEnv names the FIFO to which this test binary, started as popvault
// on a click (`--open-account NAME`), writes the account's name.
const openedEnv = "POPVAULT_NOTIFY_TEST_OPENED"

// waitersEnv names a file to which each waiter this test binary is
// started as (`notify-wait`) adds a line: a test that must start none
// sees any that started, even one that ended at once.
const waitersEnv = "POPVAULT_NOTIFY_TEST_WAITERS"

// TestMain plays popvault for the waiter: `notify-wait` runs RunWaiter,
// `--open-account NAME` reports NAME to the test that clicked.
func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == "--archive" {
		archiveOpened = os.Args[2]
		os.Args = append(os.Args[:1], os.Args[3:]...)
	}
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case WaiterCommand:
			if f := os.Getenv(waitersEnv); f != "" {
				w, err := os.OpenFile(f, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
				if err == nil {
					fmt.Fprintln(w, os.Getpid())
					w.Close()
				}
			}
			if err := RunWaiter(os.Stdin, os.Stdout); err != nil {
				os.Exit(1)
			}
			os.Exit(0)
		case OpenAccountFlag:
			account, _, _ := ParseOpenArg(os.Args[2])
			opened(account + "\t" + os.Getenv("DISPLAY") + "\t" + archiveOpened)
		}
	}
	if os.Getenv(openedEnv) != "" {
		opened("") // started as the window, on no account
	}
	os.Exit(m.Run())
}

// archiveOpened is the --archive this process was started with.
var archiveOpened string

// opened reports the account this process was started on, and ends it.
func opened(account string) {
	f, err := os.OpenFile(os.Getenv(openedEnv), os.O_WRONLY, 0)
	if err != nil {
		os.Exit(1)
	}
	fmt.Fprintln(f, account)
	f.Close()
	os.Exit(0)
}

// privateBus starts a session bus of the test's own and returns its
// address; it is stopped when the test ends. This test binary, started
// again by the code under test, plays popvault (TestMain) and never runs
// the tests again: with openedEnv set, a start it does not expect ends
// at once.
func privateBus(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("needs dbus-daemon, for a session bus of the test's own: make check (-short) skips it, make test runs it")
	}
	if os.Getenv(openedEnv) == "" {
		t.Setenv(openedEnv, filepath.Join(t.TempDir(), "opened"))
	}
	cmd := exec.Command("dbus-daemon", "--session", "--print-address", "--nofork")
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
	return strings.TrimSpace(addr)
}

// call is one Notify the fake service received.
type call struct {
	sender  string
	app     string
	replace uint32
	icon    string
	title   string
	body    string
	actions []string
	hints   map[string]dbus.Variant
	expire  int32
	id      uint32
	pid     uint32 // the sender's process
}

// fakeServer is a notification service on the private bus that records
// what it is sent. Like dunst, it sends its signals to the notification's
// sender only.
type fakeServer struct {
	caps  []string // what GetCapabilities says
	conn  *dbus.Conn
	calls chan call
	gone  chan string // unique names that left the bus
	mu    sync.Mutex
	next  uint32
}

func newFakeServer(t testing.TB, addr string) *fakeServer {
	return newFakeServerWith(t, addr, []string{"actions", "body"})
}

// newFakeServerWith is a fake service with these capabilities.
func newFakeServerWith(t testing.TB, addr string, caps []string) *fakeServer {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	f := &fakeServer{caps: caps, conn: conn, calls: make(chan call, 8), gone: make(chan string, 8), next: 41}
	if err := conn.ExportMethodTable(map[string]any{
		"Notify": f.notify,
		"GetCapabilities": func() ([]string, *dbus.Error) {
			return f.caps, nil
		},
		"CloseNotification": func(uint32) *dbus.Error { return nil },
		"GetServerInformation": func() (string, string, string, string, *dbus.Error) {
			return "fake", "popvault tests", "1", "1.2", nil
		},
	}, busPath, busIface); err != nil {
		t.Fatal(err)
	}
	if reply, err := conn.RequestName(busName, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("taking %s on the private bus: %v, %v", busName, reply, err)
	}
	// The systemd user manager too, whose environment holds the
	// desktop's display (as GNOME and Plasma import it there).
	if err := conn.ExportMethodTable(map[string]any{
		"Get": func(iface, prop string) (dbus.Variant, *dbus.Error) {
			if iface == "org.freedesktop.systemd1.Manager" && prop == "Environment" {
				return dbus.MakeVariant([]string{"HOME=/home/someone", "DISPLAY=:42", "XDG_SESSION_TYPE=x11"}), nil
			}
			return dbus.Variant{}, dbus.NewError("org.freedesktop.DBus.Error.UnknownProperty", nil)
		},
	}, "/org/freedesktop/systemd1", "org.freedesktop.DBus.Properties"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.RequestName("org.freedesktop.systemd1", dbus.NameFlagDoNotQueue); err != nil {
		t.Fatal(err)
	}
	if err := conn.AddMatchSignal(dbus.WithMatchInterface("org.freedesktop.DBus"), dbus.WithMatchMember("NameOwnerChanged")); err != nil {
		t.Fatal(err)
	}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	go func() {
		for s := range signals {
			if len(s.Body) == 3 && s.Body[2] == "" && strings.HasPrefix(s.Body[0].(string), ":") {
				f.gone <- s.Body[0].(string)
			}
		}
	}()
	return f
}

func (f *fakeServer) notify(sender dbus.Sender, app string, replace uint32, icon, title, body string,
	actions []string, hints map[string]dbus.Variant, expire int32) (uint32, *dbus.Error) {
	f.mu.Lock()
	f.next++
	id := f.next
	f.mu.Unlock()
	var pid uint32 // asked while the sender is still there
	f.conn.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, string(sender)).Store(&pid)
	f.calls <- call{string(sender), app, replace, icon, title, body, actions, hints, expire, id, pid}
	return id, nil
}

// signal sends a Notifications signal to one connection only.
func (f *fakeServer) signal(t testing.TB, to, member string, body ...any) {
	t.Helper()
	msg := &dbus.Message{Type: dbus.TypeSignal, Headers: map[dbus.HeaderField]dbus.Variant{
		dbus.FieldPath:        dbus.MakeVariant(busPath),
		dbus.FieldInterface:   dbus.MakeVariant(busIface),
		dbus.FieldMember:      dbus.MakeVariant(member),
		dbus.FieldDestination: dbus.MakeVariant(to),
		dbus.FieldSignature:   dbus.MakeVariant(dbus.SignatureOf(body...)),
	}, Body: body}
	if c := f.conn.Send(msg, nil); c.Err != nil {
		t.Fatal(c.Err)
	}
}

// waitGone waits until name has left the bus: its process ended, or
// closed its connection.
func (f *fakeServer) waitGone(t testing.TB, name string) {
	t.Helper()
	for g := range f.gone {
		if g == name {
			return
		}
	}
}

// checkCall checks what Send gave the service.
func checkCall(t *testing.T, c call, n Notification) {
	t.Helper()
	if c.app != "popvault" || c.replace != 0 || c.icon != AppID || c.title != n.Title || c.body != n.Body || c.expire != -1 {
		t.Errorf("Notify(%q, %d, %q, %q, %q, …, %d)", c.app, c.replace, c.icon, c.title, c.body, c.expire)
	}
	if !slices.Equal(c.actions, []string{"default", "Open popvault"}) {
		t.Errorf("actions %q", c.actions)
	}
	if v, ok := c.hints["desktop-entry"]; !ok || v.Value() != AppID {
		t.Errorf("hints %v", c.hints)
	}
}

// A scheduled run's notification: Send returns once the service has it;
// the waiter (this test binary as `popvault notify-wait`) sent it, and a
// click starts popvault on the account, on the desktop's display (from
// the user manager: cron gives none); then the waiter ends.
func TestDetachedClickOpensTheAccount(t *testing.T) {
	addr := privateBus(t)
	fake := newFakeServer(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	fifo := filepath.Join(t.TempDir(), "opened")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(openedEnv, fifo)
	// As under cron: no display; the window gets the desktop's.
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	n := Notification{Title: "Old ISP: backups have stopped", Body: "The server refused the password twice. Open popvault to type the new one.", Account: "Old ISP & co"}
	// The job's archive: a click opens the window on it, not the default.
	if err := Send(context.Background(), n, Options{Exe: os.Args[0], Archive: "/srv/mail/other.db"}); err != nil {
		t.Fatal(err)
	}
	c := <-fake.calls
	checkCall(t, c, n)
	if c.sender == fake.conn.Names()[0] {
		t.Fatal("the notification came from the fake itself")
	}
	// Another notification's click, and another action, are not ours.
	fake.signal(t, c.sender, "ActionInvoked", c.id+100, "default")
	fake.signal(t, c.sender, "ActionInvoked", c.id, "other")
	fake.signal(t, c.sender, "ActionInvoked", c.id, "default")
	opened, err := os.ReadFile(fifo) // blocks until popvault is started on a click
	if err != nil {
		t.Fatal(err)
	}
	if want := n.Account + "\t:42\t/srv/mail/other.db\n"; string(opened) != want {
		t.Errorf("a click opened %q (account, display, archive), want %q", opened, want)
	}
	fake.waitGone(t, c.sender)
}

// The waiter ends when its notification is closed, or when the time it
// may wait is up, without a click.
func TestWaiterEnds(t *testing.T) {
	addr := privateBus(t)
	fake := newFakeServer(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	n := Notification{Title: "Gmail: sign in again", Account: "Gmail"}
	if err := Send(context.Background(), n, Options{Exe: os.Args[0]}); err != nil {
		t.Fatal(err)
	}
	c := <-fake.calls
	fake.signal(t, c.sender, "NotificationClosed", c.id+1, uint32(2))
	fake.signal(t, c.sender, "NotificationClosed", c.id, uint32(2)) // dismissed
	fake.waitGone(t, c.sender)

	if err := Send(context.Background(), n, Options{Exe: os.Args[0], WaitAtMost: 1}); err != nil {
		t.Fatal(err)
	}
	fake.waitGone(t, (<-fake.calls).sender)
}

// The window waits in its own process: a click calls OnClick, and
// nothing is started.
func TestClickInProcess(t *testing.T) {
	addr := privateBus(t)
	fake := newFakeServer(t, addr)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	clicks := make(chan string, 1)
	n := Notification{Title: "Work: backups have stopped", Body: "The disk is full.", Account: "Work"}
	before := childrenOf(os.Getpid())
	if err := Send(context.Background(), n, Options{OnClick: func(a string) { clicks <- a }}); err != nil {
		t.Fatal(err)
	}
	c := <-fake.calls
	checkCall(t, c, n)
	if started := newChildren(before); len(started) > 0 {
		t.Errorf("processes started: %v", started)
	}
	fake.signal(t, c.sender, "ActionInvoked", c.id, "default")
	if got := <-clicks; got != "Work" {
		t.Errorf("clicked %q", got)
	}
	fake.waitGone(t, c.sender) // and the connection is closed after
}

// A notification service that is not there: Send says so, in words.
func TestNoService(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", privateBus(t))
	err := Send(context.Background(), Notification{Title: "x"}, Options{Exe: os.Args[0]})
	if err == nil || !strings.Contains(err.Error(), "notification service") {
		t.Errorf("got %v", err)
	}
}

// A desktop that cannot take a notification with a click gets no
// waiter: a bus that does not answer (its daemon gone, or stopped) or
// one with no notification service is no session, and a service that
// reports no clicks gets the notification from Send itself. No waiter
// is started, not even one that would end at once, and Send leaves no
// process behind.
func TestNoWaiterWithoutAClick(t *testing.T) {
	n := Notification{Title: "Gmail: backups have stopped", Body: "Sign in again.", Account: "Gmail"}
	cases := map[string]struct {
		bus     func(testing.TB) string // the session bus's address
		caps    []string                // a service's, on the bus; nil: none there
		timeout time.Duration           // Send's context's
		shown   bool                    // the service has the notification
	}{
		"a socket whose daemon is gone":    {bus: deadSocket},
		"a daemon that does not answer":    {bus: silentSocket, timeout: 300 * time.Millisecond},
		"a bus with no service":            {bus: privateBus},
		"a service that reports no clicks": {bus: privateBus, caps: []string{"body", "persistence"}, shown: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			waiters := filepath.Join(t.TempDir(), "waiters")
			t.Setenv(waitersEnv, waiters)
			t.Setenv(openedEnv, filepath.Join(t.TempDir(), "opened")) // a start it does not expect ends at once
			addr := c.bus(t)
			t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
			var fake *fakeServer
			if c.caps != nil {
				fake = newFakeServerWith(t, addr, c.caps)
			}
			ctx := context.Background()
			if c.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, c.timeout)
				defer cancel()
			}
			children := childrenOf(os.Getpid())
			err := Send(ctx, n, Options{Exe: os.Args[0]})
			if started := newChildren(children); len(started) > 0 {
				t.Errorf("left behind: %v", started)
			}
			if b, rerr := os.ReadFile(waiters); rerr == nil {
				t.Errorf("waiters started (pids %s)", strings.Fields(string(b)))
			}
			if !c.shown {
				if !errors.Is(err, ErrNoSession) {
					t.Errorf("got %v, want ErrNoSession", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := <-fake.calls
			checkCall(t, got, n)
			if int(got.pid) != os.Getpid() {
				t.Errorf("the notification came from process %d, not from Send (%d)", got.pid, os.Getpid())
			}
		})
	}
}

// deadSocket is a session bus's socket whose daemon is gone: the file
// is there, and nothing listens.
func deadSocket(t testing.TB) string {
	path := filepath.Join(t.TempDir(), "bus")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	return "unix:path=" + path
}

// silentSocket is a session bus that takes connections and never
// answers, like a stopped dbus-daemon.
func silentSocket(t testing.TB) string {
	path := filepath.Join(t.TempDir(), "bus")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { l.Close(); <-done })
	go func() {
		defer close(done)
		var held []net.Conn // open, unanswered, until the test ends
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	return "unix:path=" + path
}

// No session bus, as under cron: ErrNoSession, and no process started,
// no bus launched, none left behind.
func TestNoSession(t *testing.T) {
	if _, err := os.Stat("/run/user/" + strconv.Itoa(os.Getuid()) + "/bus"); err == nil {
		t.Fatalf("this user has a session bus at /run/user/%d/bus (logged in): run the test as a user who is not, as make test does", os.Getuid())
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	t.Setenv("DISPLAY", ":0")                                 // a display does not make a session bus
	t.Setenv(openedEnv, filepath.Join(t.TempDir(), "opened")) // as privateBus does
	before, children := processes(), childrenOf(os.Getpid())
	for _, o := range []Options{{Exe: os.Args[0]}, {OnClick: func(string) {}}} {
		err := Send(context.Background(), Notification{Title: "Gmail: backups have stopped"}, o)
		if !errors.Is(err, ErrNoSession) {
			t.Errorf("got %v, want ErrNoSession", err)
		}
	}
	if started := newChildren(children); len(started) > 0 {
		t.Errorf("processes started: %v", started)
	}
	for pid, name := range processes() {
		if _, old := before[pid]; !old && (strings.HasPrefix(name, "dbus-") || name == "gnome-keyring-d") {
			t.Errorf("a %s started (pid %d)", name, pid)
		}
	}
}

// processes maps each process's id to its name.
func processes() map[int]string {
	out := map[int]string{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm")); err == nil {
			out[pid] = strings.TrimSpace(string(b))
		}
	}
	return out
}

// newChildren lists this process's children that were not in before.
func newChildren(before []string) []string {
	var out []string
	for _, c := range childrenOf(os.Getpid()) {
		if !slices.Contains(before, c) {
			out = append(out, c)
		}
	}
	return out
}

// childrenOf lists the processes whose parent is pid.
func childrenOf(pid int) []string {
	var out []string
	for p, name := range processes() {
		b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(p), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces and parentheses.
		fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			out = append(out, fmt.Sprintf("%d %s", p, name))
		}
	}
	return out
}

// clicked counts only the default action of its own notification, and
// stops at that notification's closing, the connection's end, or the
// time allowed.
func TestClicked(t *testing.T) {
	const id = 7
	sig := func(member string, body ...any) *dbus.Signal {
		return &dbus.Signal{Name: busIface + "." + member, Path: busPath, Body: body}
	}
	cases := map[string]struct {
		signals []*dbus.Signal
		closeCh bool // the connection ends after the signals
		want    bool
	}{
		"clicked":                           {signals: []*dbus.Signal{sig("ActionInvoked", uint32(id), "default")}, want: true},
		"another's click, then its":         {signals: []*dbus.Signal{sig("ActionInvoked", uint32(id+1), "default"), sig("ActionInvoked", uint32(id), "default")}, want: true},
		"another action, then closed":       {signals: []*dbus.Signal{sig("ActionInvoked", uint32(id), "other"), sig("NotificationClosed", uint32(id), uint32(2))}},
		"another's closing, then ours":      {signals: []*dbus.Signal{sig("NotificationClosed", uint32(id+1), uint32(1)), sig("NotificationClosed", uint32(id), uint32(1))}},
		"another's click, then ours closed": {signals: []*dbus.Signal{sig("ActionInvoked", uint32(id+1), "default"), sig("NotificationClosed", uint32(id), uint32(2))}},
		"closed, then a late click":         {signals: []*dbus.Signal{sig("NotificationClosed", uint32(id), uint32(2)), sig("ActionInvoked", uint32(id), "default")}},
		"a token, then the connection ends": {signals: []*dbus.Signal{sig("ActivationToken", uint32(id), "x")}, closeCh: true},
		"nothing, and the time is up":       {},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ch := make(chan *dbus.Signal, len(c.signals))
			for _, s := range c.signals {
				ch <- s
			}
			if len(c.signals) > 0 || c.closeCh {
				close(ch) // the connection's end stops the wait after the signals, if nothing else does
			}
			ctx, cancel := context.WithCancel(context.Background())
			if !c.closeCh && !c.want && len(c.signals) == 0 {
				cancel() // the time allowed is up
			}
			defer cancel()
			if got := clicked(ctx, ch, id); got != c.want {
				t.Errorf("clicked: %v, want %v", got, c.want)
			}
		})
	}
}

// What notifying adds to a scheduled run: Send, from the start of the
// waiter to the service's answer; the waiter then ends on the closing.
func BenchmarkSendDetached(b *testing.B) {
	addr := privateBus(b)
	fake := newFakeServer(b, addr)
	b.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	n := Notification{Title: "Gmail: backups have stopped", Body: "The server refused the password.", Account: "Gmail"}
	for b.Loop() {
		if err := Send(context.Background(), n, Options{Exe: os.Args[0]}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		c := <-fake.calls
		fake.signal(b, c.sender, "NotificationClosed", c.id, uint32(2))
		fake.waitGone(b, c.sender)
		b.StartTimer()
	}
}
