//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
	"popvault/tools/latency"
	"popvault/tools/procmem"
)

// server is one of the accounts table's Dovecots, behind its own slow link.
type server struct {
	d     *dovecot.Server
	proxy *latency.Proxy
}

func (s server) port() int {
	p, _ := strconv.Atoi(s.proxy.Addr[strings.LastIndexByte(s.proxy.Addr, ':')+1:])
	return p
}

// accountsTable times five accounts, each on a Dovecot of its own behind
// a 40 ms link: popvault fetching them all (at once) against mpop -a (one
// after another), into empty stores, then the nothing-new check of all
// five once everything was fetched.
func (e *env) accountsTable(perAccount, runs int) error {
	const accounts = 5
	var servers []server
	defer func() {
		for _, s := range servers {
			s.proxy.Close()
			s.d.Close()
		}
	}()
	var size int64
	for i := range accounts {
		d, err := dovecot.Start()
		if err != nil {
			return err
		}
		var msgs [][]byte
		for _, m := range mailgen.Corpus(perAccount, uint64(300+i)) {
			msgs = append(msgs, m.Data)
			size += int64(len(m.Data))
		}
		if err := d.Deliver(msgs...); err != nil {
			d.Close()
			return err
		}
		p, err := latency.New(d.TLSAddr(), 40*time.Millisecond)
		if err != nil {
			d.Close()
			return err
		}
		servers = append(servers, server{d, p})
	}
	fmt.Printf("Five accounts: %d messages each (%.1f MB in all) on five Dovecots, each behind a link of 40 ms RTT; popvault fetches them at once, mpop -a in turn; median of %d runs.\n\n",
		perAccount, float64(size)/1e6, runs)
	type tool struct {
		name    string
		prepare func(dir string) (*exec.Cmd, error)
	}
	tools := []tool{{"popvault", func(dir string) (*exec.Cmd, error) { return e.popvaultAccounts(dir, servers) }},
		{"mpop -a", func(dir string) (*exec.Cmd, error) { return mpopAccounts(dir, servers) }}}
	times := map[string][2][]time.Duration{}
	// Where the all-new runs' time goes: the tool's own CPU time, and how
	// busy the machine's cores were while it ran (the Dovecots and the
	// links share them).
	type use struct {
		own, busy, wall time.Duration
		peak            int64 // the largest peak RSS sampled, in KiB
	}
	uses := map[string]use{}
	for r := 0; r < runs; r++ {
		for _, t := range tools {
			dir, err := os.MkdirTemp(e.work, "accounts-")
			if err != nil {
				return err
			}
			var took [2]time.Duration
			for pass := range 2 { // all new, then nothing new
				cmd, err := t.prepare(dir)
				if err != nil {
					return err
				}
				start, busy := time.Now(), machineBusy()
				peak, err := procmem.Run(cmd)
				if err != nil {
					return fmt.Errorf("%s: %w", t.name, err)
				}
				took[pass] = time.Since(start)
				if pass == 0 {
					u := uses[t.name]
					u.own += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
					u.busy += machineBusy() - busy
					u.wall += took[pass]
					u.peak = max(u.peak, peak.All)
					uses[t.name] = u
				}
			}
			os.RemoveAll(dir)
			ts := times[t.name]
			ts[0], ts[1] = append(ts[0], took[0]), append(ts[1], took[1])
			times[t.name] = ts
		}
	}
	mp := times["mpop -a"]
	fmt.Println("| tool | five accounts, all new | ratio to mpop -a | nothing new | ratio to mpop -a |")
	fmt.Println("|---|---|---|---|---|")
	for _, t := range tools {
		ts := times[t.name]
		fmt.Printf("| %s | %.3f s | %.2fx | %.3f s | %.2fx |\n", t.name, median(ts[0]).Seconds(), median(ts[0]).Seconds()/median(mp[0]).Seconds(),
			median(ts[1]).Seconds(), median(ts[1]).Seconds()/median(mp[1]).Seconds())
	}
	fmt.Println()
	for _, t := range tools {
		u := uses[t.name]
		fmt.Printf("%s, all new: its own CPU %.0f%% of its wall time, peak memory %d MB; the machine's %d cores %.0f%% busy meanwhile.\n",
			t.name, 100*u.own.Seconds()/u.wall.Seconds(), u.peak>>10, runtime.NumCPU(), 100*u.busy.Seconds()/u.wall.Seconds()/float64(runtime.NumCPU()))
	}
	fmt.Println()
	return nil
}

// machineBusy is the CPU time all cores have spent on anything but idling
// since boot, from /proc/stat; 0 where there is none.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	var busy int64
	for i, f := range strings.Fields(line)[1:] {
		n, _ := strconv.ParseInt(f, 10, 64)
		if i != 3 && i != 4 && i < 8 { // idle and iowait; guest time is in user already
			busy += n
		}
	}
	return time.Duration(busy) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// popvaultAccounts is popvault with the five accounts in one archive.
func (e *env) popvaultAccounts(dir string, servers []server) (*exec.Cmd, error) {
	archivePath := filepath.Join(dir, "archive.db")
	if _, err := os.Stat(archivePath); os.IsNotExist(err) {
		for i, s := range servers {
			add := e.popvaultCmd(archivePath, "account", "add", "--name", fmt.Sprintf("account%d", i+1), "--host", "localhost",
				"--port", fmt.Sprint(s.port()), "--ca-file", s.d.CAFile, "--user", s.d.User, "--password-stdin")
			add.Stdin = strings.NewReader(s.d.Password + "\n")
			if err := runCmd(add); err != nil {
				return nil, fmt.Errorf("popvault account add: %w", err)
			}
		}
	}
	if parallel > 0 {
		return e.popvaultCmd(archivePath, "fetch", "--parallel", strconv.Itoa(parallel)), nil
	}
	return e.popvaultCmd(archivePath, "fetch"), nil
}

// mpopAccounts is mpop with the five accounts in one mpoprc, into one
// Maildir, each with its own UIDs file, as FACTS.md describes.
func mpopAccounts(dir string, servers []server) (*exec.Cmd, error) {
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(dir, "maildir", sub), 0o700)
	}
	var conf strings.Builder
	for i, s := range servers {
		conf.WriteString(mpopAccount(fmt.Sprintf("account%d", i+1), "localhost", s.port(), s.d.CAFile, s.d.User, s.d.Password,
			fmt.Sprintf("%s/uidls%d", dir, i+1), dir+"/maildir") + "\n")
	}
	path := filepath.Join(dir, "mpoprc")
	if err := os.WriteFile(path, []byte(conf.String()), 0o600); err != nil {
		return nil, err
	}
	return exec.Command("mpop", "-C", path, "-q", "-a"), nil
}
