//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package notify

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"

	"popvault/internal/sessionbus"
)

// The freedesktop Notifications service (Desktop Notifications
// Specification 1.2).
const (
	busName   = "org.freedesktop.Notifications"
	busPath   = dbus.ObjectPath("/org/freedesktop/Notifications")
	busIface  = "org.freedesktop.Notifications"
	actionKey = "default" // the action a click on the notification itself invokes
)

// Send shows n. With o.OnClick set, this process waits for the click;
// otherwise a waiter process of its own does (see the package doc), and
// Send returns once the notification service has the notification.
func Send(ctx context.Context, n Notification, o Options) error {
	if err := n.check(); err != nil {
		return err
	}
	addr, err := sessionbus.Address()
	if err != nil {
		return fmt.Errorf("%w (%v)", ErrNoSession, err)
	}
	req := request{Address: addr, Title: n.Title, Body: n.Body, Account: n.Account, Icon: o.icon(), Exe: o.Exe, Archive: o.Archive, WaitAtMost: o.waitAtMost()}
	if o.OnClick != nil {
		return watchHere(ctx, req, o.OnClick)
	}
	if o.Exe == "" {
		return fmt.Errorf("notify: popvault's program (Options.Exe) is needed to wait for a click")
	}
	// A process is started only where a notification service answers: a
	// bus whose socket is left but whose daemon is gone, or a bus with no
	// desktop on it (an ssh login's), gets nothing to wait on it.
	actions, err := probe(ctx, addr)
	if err != nil {
		return err
	}
	if !actions {
		// The service shows no buttons and reports no clicks: nothing
		// to wait for, so this process sends it and nobody stays.
		conn, _, _, err := show(ctx, req)
		if err == nil {
			conn.Close()
		}
		return err
	}
	return waiter(ctx, req.Exe, req)
}

// probe asks the notification service at addr what it can do, within
// ctx: an error (ErrNoSession) where nothing answers, and whether it
// reports a click on a notification (its "actions" capability).
func probe(ctx context.Context, addr string) (actions bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	conn, err := connect(ctx, addr)
	if err != nil {
		return false, fmt.Errorf("%w: the session bus at %s does not answer: %w", ErrNoSession, addr, err)
	}
	defer conn.Close()
	var caps []string
	if err := conn.Object(busName, busPath).CallWithContext(ctx, busIface+".GetCapabilities", 0).Store(&caps); err != nil {
		return false, fmt.Errorf("%w: the desktop's notification service does not answer: %w", ErrNoSession, err)
	}
	return slices.Contains(caps, "actions"), nil
}

// connect connects to the bus at addr (never a bus of its own), within
// ctx: a daemon that accepts but never answers (stopped, or hung) would
// hold dbus.Connect's authentication forever.
func connect(ctx context.Context, addr string) (*dbus.Conn, error) {
	// The connection's own context closes it when cancelled: cancelled
	// only if ctx ends while connecting, so the connection outlives ctx.
	life, cancel := context.WithCancel(context.Background())
	stop := context.AfterFunc(ctx, cancel)
	conn, err := dbus.Connect(addr, dbus.WithContext(life))
	if !stop() {
		if err == nil {
			conn.Close()
		}
		return nil, ctx.Err()
	}
	return conn, err
}

// request is what Send tells the waiter, as JSON on its standard input.
type request struct {
	Address    string // the session bus's
	Title      string
	Body       string
	Account    string
	Icon       string
	Exe        string // run on a click: Exe [--archive Archive] --open-account Account
	Archive    string
	WaitAtMost time.Duration
}

// answer is what the waiter tells Send, one JSON line on its output.
type answer struct {
	ID    uint32 `json:",omitempty"`
	Error string `json:",omitempty"`
}

// waiter starts `self notify-wait`, in a session of its own and with no
// output of this process's, so that it outlives this one and whatever
// waits for this one's output (cron), and returns what it says.
func waiter(ctx context.Context, self string, req request) error {
	cmd := exec.Command(self, WaiterCommand)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("notify: starting popvault to wait for a click: %w", err)
	}
	got := make(chan answer, 1)
	go func() {
		json.NewEncoder(stdin).Encode(req)
		stdin.Close()
		var a answer
		if line, err := bufio.NewReader(stdout).ReadBytes('\n'); err != nil {
			a.Error = "popvault's waiter ended without a word"
		} else if err := json.Unmarshal(line, &a); err != nil {
			a.Error = "popvault's waiter said something else: " + string(line)
		}
		got <- a
	}()
	select {
	case a := <-got:
		if a.Error != "" {
			// It ends right after saying so: reaped here, so that none
			// is left when Send returns.
			cmd.Process.Kill()
			cmd.Wait()
			return fmt.Errorf("notify: %s", a.Error)
		}
		go cmd.Wait() // reaps it, where this process lives on (the window, tests)
		return nil
	case <-ctx.Done():
		cmd.Process.Kill()
		cmd.Wait()
		return fmt.Errorf("notify: %w", ctx.Err())
	}
}

// RunWaiter is popvault's `notify-wait`: it reads Send's request from
// stdin, shows the notification, answers on stdout (and closes it), then
// waits for a click, the notification's closing or the time allowed, and
// on a click starts popvault on the account.
func RunWaiter(stdin io.Reader, stdout io.WriteCloser) error {
	var req request
	if err := json.NewDecoder(stdin).Decode(&req); err != nil {
		return fmt.Errorf("notify: the waiter's request: %w", err)
	}
	reply := func(a answer) {
		b, _ := json.Marshal(a)
		stdout.Write(append(b, '\n'))
		stdout.Close() // nothing more goes there: Send has gone
	}
	conn, id, signals, err := show(context.Background(), req)
	if err != nil {
		reply(answer{Error: err.Error()})
		return err
	}
	defer conn.Close()
	reply(answer{ID: id})
	ctx, cancel := context.WithTimeout(context.Background(), req.WaitAtMost)
	defer cancel()
	if clicked(ctx, signals, id) {
		return open(req.Exe, req.Archive, req.Account, sessionEnv(conn))
	}
	return nil
}

// graphicalVars are what popvault's window needs to open on the
// desktop, which a run started by cron lacks.
var graphicalVars = []string{"DISPLAY", "WAYLAND_DISPLAY", "XAUTHORITY", "XDG_SESSION_TYPE", "XDG_CURRENT_DESKTOP", "XDG_RUNTIME_DIR"}

// sessionEnv is this process's environment, with the desktop's
// graphical variables added where it has no display: from the systemd
// user manager on the session bus, into which desktops (GNOME, Plasma)
// import them for the programs it starts.
func sessionEnv(conn *dbus.Conn) []string {
	env := os.Environ()
	if os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" {
		return env
	}
	v, err := conn.Object("org.freedesktop.systemd1", "/org/freedesktop/systemd1").GetProperty("org.freedesktop.systemd1.Manager.Environment")
	if err != nil {
		return env // no user manager: the window will say it has no display
	}
	manager, _ := v.Value().([]string)
	for _, kv := range manager {
		name, _, _ := strings.Cut(kv, "=")
		if slices.Contains(graphicalVars, name) && os.Getenv(name) == "" {
			env = append(env, kv)
		}
	}
	return env
}

// watchHere shows the notification from this process and waits here,
// in a goroutine, for its click.
func watchHere(ctx context.Context, req request, onClick func(string)) error {
	conn, id, signals, err := show(ctx, req)
	if err != nil {
		return err
	}
	go func() {
		defer conn.Close()
		wait, cancel := context.WithTimeout(context.Background(), req.WaitAtMost)
		defer cancel()
		if clicked(wait, signals, id) {
			onClick(req.Account)
		}
	}()
	return nil
}

// sendTimeout bounds the wait for the service's answer, as D-Bus's own
// default for a method call does: a service that hangs does not hold up
// a run.
const sendTimeout = 25 * time.Second

// show connects to the bus at the request's address (never a bus of its
// own), listens for the service's signals, and sends the notification.
func show(ctx context.Context, req request) (*dbus.Conn, uint32, <-chan *dbus.Signal, error) {
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	conn, err := connect(ctx, req.Address)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("notify: the session bus at %s does not answer: %w", req.Address, err)
	}
	// Listening first: a click cannot come before the match is in place.
	if err := conn.AddMatchSignalContext(ctx, dbus.WithMatchInterface(busIface), dbus.WithMatchObjectPath(busPath)); err != nil {
		conn.Close()
		return nil, 0, nil, fmt.Errorf("notify: the session bus: %w", err)
	}
	signals := make(chan *dbus.Signal, 16)
	conn.Signal(signals)
	hints := map[string]dbus.Variant{"desktop-entry": dbus.MakeVariant(AppID)}
	var id uint32
	err = conn.Object(busName, busPath).CallWithContext(ctx, busIface+".Notify", 0,
		"popvault", uint32(0), req.Icon, req.Title, req.Body, []string{actionKey, "Open popvault"}, hints, int32(-1)).Store(&id)
	if err != nil {
		conn.Close()
		return nil, 0, nil, fmt.Errorf("notify: the desktop's notification service: %w", err)
	}
	return conn, id, signals, nil
}

// clicked waits for notification id's click (true), or its closing, the
// connection's end or ctx's (false).
func clicked(ctx context.Context, signals <-chan *dbus.Signal, id uint32) bool {
	for {
		select {
		case s, ok := <-signals:
			if !ok {
				return false
			}
			if len(s.Body) < 2 || s.Body[0] != id {
				continue // another notification's, maybe another program's
			}
			switch s.Name {
			case busIface + ".ActionInvoked":
				if s.Body[1] == actionKey {
					return true
				}
			case busIface + ".NotificationClosed":
				return false
			}
		case <-ctx.Done():
			return false
		}
	}
}

// open starts popvault on the account of archive, detached, with env,
// and leaves it running.
func open(self, archive, account string, env []string) error {
	args := openArgs(self, archive, account)
	cmd := exec.Command(self, args[1:]...)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("notify: opening popvault: %w", err)
	}
	return cmd.Process.Release()
}

// openArgs is the command a click runs.
func openArgs(exe, archive, account string) []string {
	args := []string{exe}
	if archive != "" {
		args = append(args, "--archive", archive)
	}
	if account != "" {
		args = append(args, OpenAccountFlag, account)
	}
	return args
}

func (o Options) waitAtMost() time.Duration {
	if o.WaitAtMost > 0 {
		return o.WaitAtMost
	}
	return DefaultWaitAtMost
}

func (o Options) icon() string {
	if o.Icon != "" {
		return o.Icon
	}
	return AppID
}
