//go:build unix

// Command peerbench times popvault against mpop and fetchmail (Debian's
// packages) fetching the same mailbox from one real Dovecot over POP3S,
// and against mbsync restoring it over IMAPS, directly and through a
// loopback proxy that adds 40 ms of round trip, and prints medians and
// ratios as Markdown tables. `make bench` runs it.
// It runs where its peers do: on Unix (the build tag).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
	"popvault/schedule"
	"popvault/tools/latency"
)

func main() {
	messages := flag.Int("messages", 1000, "messages in the download mailbox")
	kept := flag.Int("kept", 10000, "messages in the nothing-new mailbox")
	runs := flag.Int("runs", 3, "runs per tool and link; the median is shown")
	tools := flag.String("tools", "popvault,scheduled,mpop,fetchmail,floor", "the tools to time (floor: popvault's client retrieving and discarding, download only; scheduled: popvault as its scheduled job runs it, nothing new only)")
	only := flag.String("only", "", "run only the \"download\", \"nothing-new\", \"accounts\", \"restore\" or \"delivery\" table")
	perAccount := flag.Int("per-account", 200, "messages in each of the accounts table's five mailboxes")
	flag.IntVar(&parallel, "parallel", 0, "popvault fetch --parallel in the accounts table; 0 means popvault's default")
	flag.StringVar(&baseline, "baseline", "", "another popvault binary (an earlier commit's, say) to time as the scheduled job runs it, as the row \"baseline\" of the nothing-new table")
	flag.Parse()
	selected = map[string]bool{}
	for _, t := range strings.Split(*tools, ",") {
		selected[t] = true
	}
	if err := run(*messages, *kept, *perAccount, *runs, *only); err != nil {
		fmt.Fprintln(os.Stderr, "peerbench:", err)
		os.Exit(1)
	}
}

// tool is a POP3 fetcher under test.
type tool struct {
	name string
	// prepare makes a fresh, empty store in dir for a server at port and
	// returns the command that fetches into it.
	prepare func(dir string, port int) (*exec.Cmd, error)
}

type env struct {
	work   string
	binary string
	floor  string // the floor command's binary
	d      *dovecot.Server
	// last holds the last table's runs, by "tool|link".
	last map[string][]time.Duration
	// download is set while the download table runs: the floor takes
	// part in it alone.
	download bool
	// nothingNew is set while the nothing-new table runs: the scheduled
	// job's run takes part in it alone.
	nothingNew bool
}

var (
	selected map[string]bool
	parallel int    // the accounts table's popvault fetch --parallel, when set
	baseline string // another popvault binary, for the nothing-new table
)

func run(messages, kept, perAccount, runs int, only string) error {
	for _, bin := range []string{"mpop", "fetchmail"} {
		if _, err := exec.LookPath(bin); err != nil && only != "restore" && only != "delivery" {
			return fmt.Errorf("%s is not installed (make deps installs it)", bin)
		}
	}
	work, err := os.MkdirTemp("", "popvault-peerbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	os.Chmod(work, 0o755)
	e := &env{work: work, binary: filepath.Join(work, "popvault"), floor: filepath.Join(work, "floor")}
	for bin, pkg := range map[string]string{e.binary: "./cmd/popvault", e.floor: "./tools/peerbench/floor"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			return fmt.Errorf("build: %v: %s", err, out)
		}
	}

	if only == "restore" || only == "" {
		if err := e.restoreTable(messages, runs); err != nil {
			return err
		}
	}
	if only == "delivery" || only == "" {
		if err := e.deliveryTable(messages, runs); err != nil {
			return err
		}
	}
	if only == "" || only == "download" {
		if err := e.downloadTable(messages, runs); err != nil {
			return err
		}
	}
	if only == "" || only == "accounts" {
		if err := e.accountsTable(perAccount, runs); err != nil {
			return err
		}
	}
	if only != "" && only != "nothing-new" {
		return nil
	}
	fmt.Printf("Nothing new: a check of %d kept messages that were all fetched before; median of %d runs.\n\n", kept, runs)
	if err := e.startDovecot(kept, true); err != nil {
		return err
	}
	defer e.d.Close()
	e.nothingNew = true
	table, err := e.compare(runs, true)
	if err != nil {
		return err
	}
	fmt.Println(table)
	return nil
}

func (e *env) downloadTable(messages, runs int) error {
	fmt.Printf("Download: %d messages of the usual mix from Dovecot over POP3S, keep mode, each tool into an empty store; median of %d runs.\n\n", messages, runs)
	if err := e.startDovecot(messages, false); err != nil {
		return err
	}
	e.download = true
	table, err := e.compare(runs, false)
	e.download = false
	e.d.Close()
	if err != nil {
		return err
	}
	fmt.Println(table)
	// The floor: popvault's own client retrieving the same mail and
	// storing nothing. popvault over it is what storing costs.
	if f, p := e.last["floor|direct"], e.last["popvault|direct"]; len(f) > 0 && len(p) > 0 {
		fmt.Printf("popvault over the floor (its own client, retrieving and discarding): %.2fx direct (floor %.3f s), %.2fx at 40 ms RTT (floor %.3f s).\n\n",
			median(p).Seconds()/median(f).Seconds(), median(f).Seconds(),
			median(e.last["popvault|40 ms RTT"]).Seconds()/median(e.last["floor|40 ms RTT"]).Seconds(), median(e.last["floor|40 ms RTT"]).Seconds())
	}
	return nil
}

func (e *env) startDovecot(n int, small bool) error {
	d, err := dovecot.Start()
	if err != nil {
		return err
	}
	e.d = d
	g := mailgen.New(2026)
	var size int64
	for done := 0; done < n; done += 500 {
		var batch [][]byte
		for i := done; i < min(n, done+500); i++ {
			m := g.Next()
			if small {
				m = g.NextSmall()
			}
			batch = append(batch, m.Data)
			size += int64(len(m.Data))
		}
		if err := d.Deliver(batch...); err != nil {
			return err
		}
	}
	fmt.Printf("(%d messages, %.1f MB)\n\n", n, float64(size)/1e6)
	return nil
}

// compare times every tool on both links and formats a table. With
// again, each store is filled first and the timed run finds nothing new.
func (e *env) compare(runs int, again bool) (string, error) {
	proxy, err := latency.New(e.d.TLSAddr(), 40*time.Millisecond)
	if err != nil {
		return "", err
	}
	defer proxy.Close()
	_, proxyPort, _ := strings.Cut(proxy.Addr, ":")
	links := []struct {
		name  string
		port  string
		proxy bool
	}{{"direct", fmt.Sprint(e.d.TLSPort), false}, {"40 ms RTT", proxyPort, true}}
	results := map[string][]time.Duration{}
	tools := e.tools()
	// Runs take turns between the tools, so that the machine's slower
	// moments fall on all of them alike. For a nothing-new check each
	// tool's store is filled once, and every timed check finds it full.
	for _, link := range links {
		dirs := map[string]string{}
		for r := 0; r < runs; r++ {
			for _, t := range tools {
				dir := dirs[t.name]
				if dir == "" || !again {
					if dir, err = e.store(t, link.port, proxy, again); err != nil {
						return "", fmt.Errorf("%s: %w", t.name, err)
					}
					dirs[t.name] = dir
				}
				d, err := e.timeOne(t, dir, link.port, link.proxy, proxy)
				if !again {
					os.RemoveAll(dir)
				}
				if err != nil {
					return "", fmt.Errorf("%s (%s): %w", t.name, link.name, err)
				}
				results[t.name+"|"+link.name] = append(results[t.name+"|"+link.name], d)
			}
		}
		if again && link.proxy {
			if err := e.countWire(tools, dirs, link.port, proxy); err != nil {
				return "", err
			}
		}
		for _, dir := range dirs {
			os.RemoveAll(dir)
		}
		for _, t := range tools {
			fmt.Fprintf(os.Stderr, "%s, %s: %v\n", t.name, link.name, results[t.name+"|"+link.name])
		}
	}
	e.last = results
	var b strings.Builder
	b.WriteString("| tool | direct | ratio to mpop | 40 ms RTT | ratio to mpop |\n|---|---|---|---|---|\n")
	for _, t := range tools {
		fmt.Fprintf(&b, "| %s |", t.name)
		for _, link := range links {
			m := median(results[t.name+"|"+link.name])
			ref := results["mpop|"+link.name]
			if len(ref) == 0 {
				ref = []time.Duration{m}
			}
			fmt.Fprintf(&b, " %.3f s | %.2fx |", m.Seconds(), m.Seconds()/median(ref).Seconds())
		}
		b.WriteString("\n")
	}
	return b.String(), nil
}

// store makes an empty store for tool t, and fills it at full speed when
// full is set.
func (e *env) store(t tool, linkPort string, proxy *latency.Proxy, full bool) (string, error) {
	dir, err := os.MkdirTemp(e.work, t.name+"-"+linkPort+"-")
	if err != nil {
		return "", err
	}
	if !full {
		return dir, nil
	}
	var port int
	fmt.Sscan(linkPort, &port)
	cmd, err := t.prepare(dir, port)
	if err != nil {
		return "", err
	}
	proxy.SetRTT(0)
	if err := runCmd(cmd); err != nil {
		return "", err
	}
	// Let the fill's writes (and Dovecot's) reach the disk first, so that
	// no tool's check pays for another's flush.
	syscall.Sync()
	time.Sleep(300 * time.Millisecond)
	return dir, nil
}

// timeOne times one run of tool t into its store at dir.
func (e *env) timeOne(t tool, dir, linkPort string, slow bool, proxy *latency.Proxy) (time.Duration, error) {
	var port int
	fmt.Sscan(linkPort, &port)
	cmd, err := t.prepare(dir, port)
	if err != nil {
		return 0, err
	}
	rtt := time.Duration(0)
	if slow {
		rtt = 40 * time.Millisecond
	}
	proxy.SetRTT(rtt)
	start := time.Now()
	if err := runCmd(cmd); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// countWire runs one more check of each tool through the slow link and
// prints what it sent and waited for there, which load does not change:
// the flights each side sent (a round trip is a client flight answered
// by a server flight), and the CPU time the tool's process used.
func (e *env) countWire(tools []tool, dirs map[string]string, linkPort string, proxy *latency.Proxy) error {
	var port int
	fmt.Sscan(linkPort, &port)
	fmt.Fprintf(os.Stderr, "\n| tool | client flights | server flights | CPU (user+system) |\n|---|---|---|---|\n")
	for _, t := range tools {
		cmd, err := t.prepare(dirs[t.name], port)
		if err != nil {
			return err
		}
		proxy.SetRTT(40 * time.Millisecond)
		proxy.ResetFlights()
		if err := runCmd(cmd); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		time.Sleep(100 * time.Millisecond) // what a tool sent as it exited (a QUIT not waited for) reaches the proxy
		c, s := proxy.Flights()
		cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		fmt.Fprintf(os.Stderr, "| %s | %d | %d | %.0f ms |\n", t.name, c, s, cpu.Seconds()*1000)
	}
	fmt.Fprintln(os.Stderr)
	return nil
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

func runCmd(cmd *exec.Cmd) error {
	out, err := cmd.CombinedOutput()
	if filepath.Base(cmd.Path) == "fetchmail" && cmd.ProcessState != nil && cmd.ProcessState.ExitCode() == 1 {
		return nil // fetchmail's "no mail"
	}
	if err != nil {
		return fmt.Errorf("%v: %s", err, tail(string(out)))
	}
	return nil
}

func tail(s string) string {
	if len(s) > 500 {
		return "…" + s[len(s)-500:]
	}
	return s
}

func (e *env) tools() []tool {
	var out []tool
	for _, t := range []tool{{"popvault", e.popvault}, {"scheduled", e.scheduled}, {"baseline", e.baseline}, {"mpop", e.mpop}, {"fetchmail", e.fetchmail}, {"floor", e.floorCmd}} {
		if t.name == "baseline" && baseline != "" && e.nothingNew {
			out = append(out, t)
		}
		if t.name != "baseline" && selected[t.name] && (t.name != "floor" || e.download) && (t.name != "scheduled" || e.nothingNew) {
			out = append(out, t)
		}
	}
	return out
}

// popvault stores into its own archive, fsync on, as a user runs it.
func (e *env) popvault(dir string, port int) (*exec.Cmd, error) {
	archivePath := filepath.Join(dir, "archive.db")
	if _, err := os.Stat(archivePath); os.IsNotExist(err) {
		add := e.popvaultCmd(archivePath, "account", "add", "--name", "bench", "--host", "127.0.0.1",
			"--port", fmt.Sprint(port), "--ca-file", e.d.CAFile, "--user", e.d.User, "--password-stdin")
		add.Stdin = strings.NewReader(e.d.Password + "\n")
		if err := runCmd(add); err != nil {
			return nil, fmt.Errorf("popvault account add: %w", err)
		}
	}
	return e.popvaultCmd(archivePath, "fetch"), nil
}

// popvaultCmd runs popvault as cron would: the caller's environment
// without what a desktop session sets and cron does not (its display, its
// session bus, its runtime folder), and nothing added that a user's run
// would not have. Only the config folder (where the password goes when
// there is no keyring) is the benchmark's own, so that it leaves nothing
// in the caller's.
func (e *env) popvaultCmd(archivePath string, args ...string) *exec.Cmd {
	c := exec.Command(e.binary, append([]string{"--archive", archivePath}, args...)...)
	c.Env = append(cronEnv(os.Environ()), "XDG_CONFIG_HOME="+filepath.Join(e.work, "config"))
	return c
}

// cronEnv is env without a desktop session's variables.
func cronEnv(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case name == "DISPLAY", name == "WAYLAND_DISPLAY", name == "DBUS_SESSION_BUS_ADDRESS", name == "XDG_RUNTIME_DIR",
			strings.HasPrefix(name, "XDG_SESSION_"), name == "XDG_CURRENT_DESKTOP", name == "XAUTHORITY":
			return true
		}
		return false
	})
}

// scheduled is popvault as its scheduled job runs it (package
// schedule): fetch --quiet, which also records each account's health and
// decides on a notification, with only the environment a job has
// (schedule.JobEnvironment: no session bus, no display).
func (e *env) scheduled(dir string, port int) (*exec.Cmd, error) {
	c, err := e.popvault(dir, port)
	if err != nil {
		return nil, err
	}
	c.Args = append(c.Args, "--quiet")
	c.Env = append(schedule.JobEnvironment(), "XDG_CONFIG_HOME="+filepath.Join(e.work, "config"))
	return c, nil
}

// baseline is the scheduled job's run with the -baseline binary.
func (e *env) baseline(dir string, port int) (*exec.Cmd, error) {
	c, err := e.scheduled(dir, port)
	if err != nil {
		return nil, err
	}
	c.Path, c.Args[0] = baseline, baseline
	return c, nil
}

// floorCmd retrieves with popvault's client and stores nothing.
func (e *env) floorCmd(dir string, port int) (*exec.Cmd, error) {
	c := exec.Command(e.floor, "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-ca-file", e.d.CAFile, "-user", e.d.User)
	c.Stdin = strings.NewReader(e.d.Password + "\n")
	return c, nil
}

// mpop delivers into a Maildir, as FACTS.md describes.
func (e *env) mpop(dir string, port int) (*exec.Cmd, error) {
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(dir, "maildir", sub), 0o700)
	}
	conf := mpopAccount("bench", "127.0.0.1", port, e.d.CAFile, e.d.User, e.d.Password, dir+"/uidls", dir+"/maildir")
	path := filepath.Join(dir, "mpoprc")
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	return exec.Command("mpop", "-C", path, "-q", "bench"), nil
}

// mpopAccount is one account of an mpoprc: TLS checked against caFile,
// keep mode, only new mail, delivered into a Maildir.
func mpopAccount(name, host string, port int, caFile, user, password, uidls, maildir string) string {
	return fmt.Sprintf(`account %s
host %s
port %d
tls on
tls_starttls off
tls_trust_file %s
auth user
user %s
password %s
keep on
only_new on
uidls_file %s
delivery maildir %s
`, name, host, port, caFile, user, password, uidls, maildir)
}

// fetchmail hands each message to an MDA that discards it (FACTS.md), so
// its time holds no storage at all.
func (e *env) fetchmail(dir string, port int) (*exec.Cmd, error) {
	rc := fmt.Sprintf(`set no bouncemail
poll localhost with proto POP3 port %d uidl
  user '%s' there with password '%s' is 'root' here
  ssl sslcertck sslcertfile '%s'
  keep
  mda "cat > /dev/null"
`, port, e.d.User, e.d.Password, e.d.CAFile)
	path := filepath.Join(dir, "fetchmailrc")
	if err := os.WriteFile(path, []byte(rc), 0o600); err != nil {
		return nil, err
	}
	c := exec.Command("fetchmail", "-f", path, "--idfile", filepath.Join(dir, "ids"), "--nosyslog", "-d0", "--silent")
	c.Env = append(os.Environ(), "HOME="+dir, "FETCHMAILHOME="+dir)
	return c, nil
}
