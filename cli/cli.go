// Package cli is popvault's command line: `popvault fetch`, `list`,
// `restore` and the rest, for cron jobs and headless backups. It takes
// its arguments, standard streams and environment as parameters (Env),
// so that it runs, and is tested, inside any process; cmd/popvault hands
// it the real ones, and with them the window and the demo, which cli
// never imports (no Fyne here).
//
// One file per command: account.go (account add, edit, list and remove),
// signin.go (account signin and the OAuth flags), fetch.go, list.go,
// show.go, export.go, import.go, verify.go, reindex.go, restore.go; the
// usage text in usage.go, and the manual page and bash completion made
// from it in docs.go.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/term"

	"popvault/archive"
	"popvault/credentials"
	"popvault/internal/termtext"
	"popvault/notify"
	"popvault/schedule"
)

// Env is what the command line takes from its process. Zero fields mean
// none: no input, output discarded, no environment variables, no window.
//
// The engine beneath reads a few things from the process itself, which
// Env does not carry: the config folder (os.UserConfigDir, so
// $XDG_CONFIG_HOME) and the session bus (DBUS_SESSION_BUS_ADDRESS), where
// passwords and sign-ins are kept.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads an environment variable: POPVAULT_ARCHIVE,
	// SOURCE_DATE_EPOCH (the manual page's date), DISPLAY and
	// WAYLAND_DISPLAY (whether a browser may open).
	Getenv func(key string) string
	// Version is the release's version (make release sets it); empty
	// for a plain go build, which --version then describes by its commit.
	Version string
	// Window opens the window on the archive at archivePath and returns
	// when it closes: popvault with no command.
	Window func(archivePath string) error
	// Demo opens the window on a demo mailbox: popvault --demo.
	Demo func() error
	// WindowOn opens the window on one account: popvault --open-account
	// NAME, as a notification's click starts it. Nil opens it as Window
	// does.
	WindowOn func(archivePath, account string) error
	// Scheduler installs and reads the job that fetches when popvault is
	// closed; nil is the system's (schedule.New). Tests record it.
	Scheduler *schedule.Scheduler
	// Exe is popvault's program, which the job runs; "" is
	// os.Executable().
	Exe string
	// Archive, when set, is the archive, already open, that commands use
	// instead of opening one (and never close): the window's, for the
	// commands another popvault hands to it (package handoff).
	Archive *archive.Archive
	// Dir is the folder relative paths on the command line are in; ""
	// is the process's own.
	Dir string
	// Now is the clock of the health records and status; nil is
	// time.Now. Tests move it.
	Now func() time.Time
}

// Run runs one command line (os.Args[1:]) and returns the exit status the
// process ends with: 0, or 1 once the error is written to Stderr as one
// line, "popvault: ...", as scripts expect.
func Run(ctx context.Context, args []string, env Env) int {
	c := newSession(env)
	err := c.run(ctx, args)
	var st exitStatus
	if errors.As(err, &st) {
		return int(st)
	}
	if err != nil {
		fmt.Fprintln(c.terminal, "popvault:", oneLine(err))
		return 1
	}
	return 0
}

// session carries what every command needs. stdout and stderr pass text
// through termtext, so that nothing a mail or a server says can act on
// the terminal; rawStdout is for show --raw, and terminal for lines that
// redraw themselves (their own text is cleaned where it is made). Each
// stream is written under one lock, whichever of its writers is used:
// progress, results and notes come from several goroutines.
type session struct {
	env         Env
	archivePath string
	stdin       io.Reader
	stdout      io.Writer
	stderr      io.Writer
	rawStdout   io.Writer
	terminal    io.Writer
	arch        *archive.Archive
	keys        credentials.Secrets
	signins     *credentials.OAuthStore
}

func newSession(env Env) *session {
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if env.Stdout == nil {
		env.Stdout = io.Discard
	}
	if env.Stderr == nil {
		env.Stderr = io.Discard
	}
	if env.Getenv == nil {
		env.Getenv = func(string) string { return "" }
	}
	var outMu, errMu sync.Mutex
	return &session{
		env:       env,
		stdin:     env.Stdin,
		stdout:    &locked{mu: &outMu, w: termtext.NewWriter(env.Stdout), raw: env.Stdout},
		stderr:    &locked{mu: &errMu, w: termtext.NewWriter(env.Stderr), raw: env.Stderr},
		rawStdout: &locked{mu: &outMu, w: env.Stdout, raw: env.Stdout},
		terminal:  &locked{mu: &errMu, w: env.Stderr, raw: env.Stderr},
	}
}

// locked writes to w under mu, which every writer of one stream shares.
type locked struct {
	mu  *sync.Mutex
	w   io.Writer
	raw io.Writer // the stream itself, to ask whether it is a terminal
}

func (l *locked) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Underlying is the stream beneath, for isTerminal.
func (l *locked) Underlying() io.Writer { return l.raw }

func (c *session) run(ctx context.Context, args []string) error {
	global := flag.NewFlagSet("popvault", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	global.StringVar(&c.archivePath, "archive", "", "archive file")
	demo := global.Bool("demo", false, "open the window on a demo mailbox served from inside the app")
	showVersion := global.Bool("version", false, "print the version")
	openAccount := global.String(strings.TrimPrefix(notify.OpenAccountFlag, "--"), "", "open the window on this account (a notification's click)")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			c.printUsage()
			return nil
		}
		return fmt.Errorf("%w (see popvault help)", err)
	}
	if *showVersion {
		fmt.Fprintln(c.stdout, c.versionLine())
		return nil
	}
	if *demo {
		if c.env.Demo == nil {
			return errNoWindow
		}
		return c.env.Demo()
	}
	args = global.Args()
	if *openAccount != "" && len(args) == 0 && c.env.WindowOn != nil {
		return c.openAccount(*openAccount)
	}
	if len(args) == 0 {
		if c.env.Window == nil {
			return errNoWindow
		}
		return c.env.Window(c.path())
	}
	defer c.close() // whichever command opened the archive
	cmd, rest := args[0], args[1:]
	err := c.runOrHandOff(ctx, cmd, rest)
	if errors.Is(err, errHelp) {
		return nil // the flag set printed the command's flags
	}
	return err
}

// errNoWindow: a process that runs the command line without a window
// (Env.Window, Env.Demo) was asked for one.
var errNoWindow = errors.New("this popvault has no window: give a command (see popvault help)")

func (c *session) dispatch(ctx context.Context, cmd string, rest []string) error {
	switch cmd {
	case "account":
		if len(rest) == 0 {
			return errors.New("account needs add, edit, signin, deliver, list or remove")
		}
		switch rest[0] {
		case "add":
			return c.accountAdd(ctx, rest[1:])
		case "edit":
			return c.accountEdit(rest[1:])
		case "signin":
			return c.accountSignIn(ctx, rest[1:])
		case "deliver":
			return c.accountDeliver(ctx, rest[1:])
		case "list":
			return c.accountList(rest[1:])
		case "remove":
			return c.accountRemove(rest[1:])
		case "-h", "--help", "help":
			c.printUsage()
			return nil
		}
		return fmt.Errorf("unknown account command %q", rest[0])
	case "fetch":
		return c.fetch(ctx, rest)
	case "list":
		return c.list(ctx, rest)
	case "show":
		return c.show(rest)
	case "status":
		return c.status(rest)
	case notify.WaiterCommand:
		return c.notifyWait()
	case "schedule":
		return c.schedule(ctx, rest)
	case "export":
		return c.export(rest)
	case "import":
		return c.importCmd(ctx, rest)
	case "verify":
		return c.verify(rest)
	case "restore":
		return c.restoreCmd(ctx, rest)
	case "reindex":
		return c.reindex(ctx, rest)
	case "completion":
		return c.completionCmd(rest)
	case "manpage":
		return c.manPageCmd(rest)
	case "version":
		fmt.Fprintln(c.stdout, c.versionLine())
		return nil
	case "help", "-h", "--help":
		c.printUsage()
		return nil
	}
	return fmt.Errorf("unknown command %q (see popvault help)", cmd)
}

// now is the time by the session's clock (Env.Now).
func (c *session) now() time.Time {
	if c.env.Now != nil {
		return c.env.Now()
	}
	return time.Now()
}

// flags returns a flag set that also takes --archive, wherever it is given.
// It prints nothing itself: parse prints --help, and run the errors.
func (c *session) flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&c.archivePath, "archive", c.archivePath, "archive file")
	return fs
}

// parse parses flags that may come before or after positional arguments.
// --help prints the command's flags on stdout, and the command then ends
// with errHelp, which run turns into success.
func (c *session) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(c.stdout, "Usage: popvault %s [flags]\n\nFlags:\n", fs.Name())
				fs.SetOutput(c.stdout)
				fs.PrintDefaults()
				return nil, errHelp
			}
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// errHelp: a command's --help printed its flags; run exits 0.
var errHelp = errors.New("help shown")

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// interruptible is ctx, ended also by Ctrl-C (SIGINT) or SIGTERM: for
// the commands that stop cleanly on one, keeping what they committed.
// Elsewhere the signal ends the process, as it does by default.
func interruptible(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// oneLine keeps an error to one line, as scripts expect, and safe for
// the terminal: server text and certificate names are in error messages.
func oneLine(err error) string {
	return termtext.Clean(strings.Join(strings.Fields(err.Error()), " "))
}

// secrets is the keyring, or where there is none a file in the user's
// config folder; popvault 1's file beside the archive is still read.
func (c *session) secrets() credentials.Secrets {
	if c.keys == nil {
		c.keys = credentials.NewSecrets(credentials.SecretsOptions{
			OldFile: filepath.Join(filepath.Dir(c.path()), "secrets.json"),
			Warn:    func(msg string) { fmt.Fprintln(c.stderr, "popvault: note:", msg) },
		})
	}
	return c.keys
}

// isTerminal reports whether w is a terminal, where a line may be redrawn.
func isTerminal(w io.Writer) bool { return terminalFile(w) != nil }

// terminalFile is the terminal beneath w's wrappers, or nil when w
// writes to no terminal.
func terminalFile(w io.Writer) *os.File {
	for {
		u, ok := w.(interface{ Underlying() io.Writer })
		if !ok {
			break
		}
		w = u.Underlying()
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return f
	}
	return nil
}
