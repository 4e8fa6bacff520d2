//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
	"popvault/tools/latency"
	"popvault/tools/procmem"
)

// restoreTable times popvault's restore against mbsync (Debian's isync)
// pushing the same mail from a Maildir into a new mailbox on one Dovecot
// over IMAPS, directly and at 40 ms round trip, and reports peak memory.
func (e *env) restoreTable(messages, runs int) error {
	if _, err := exec.LookPath("mbsync"); err != nil {
		return fmt.Errorf("mbsync is not installed (make deps installs isync)")
	}
	fmt.Printf("Restore: %d messages of the usual mix into a new Dovecot IMAP mailbox over IMAPS, popvault from its archive, mbsync from a Maildir; median of %d runs.\n\n", messages, runs)
	d, err := dovecot.StartWith(dovecot.Options{IMAP: true})
	if err != nil {
		return err
	}
	defer d.Close()
	e.d = d
	g := mailgen.New(2026)
	var msgs [][]byte
	var size int64
	for i := 0; i < messages; i++ {
		m := g.Next().Data
		msgs = append(msgs, m)
		size += int64(len(m))
	}
	if err := d.Deliver(msgs...); err != nil {
		return err
	}
	fmt.Printf("(%d messages, %.1f MB)\n\n", messages, float64(size)/1e6)

	// popvault's archive, filled once by a fetch; mbsync's Maildir, the
	// same bytes as files, none of them read.
	archivePath := filepath.Join(e.work, "restore", "archive.db")
	os.MkdirAll(filepath.Dir(archivePath), 0o700)
	add := e.popvaultCmd(archivePath, "account", "add", "--name", "bench", "--host", "127.0.0.1",
		"--port", fmt.Sprint(d.TLSPort), "--ca-file", d.CAFile, "--user", d.User, "--password-stdin")
	add.Stdin = strings.NewReader(d.Password + "\n")
	if err := runCmd(add); err != nil {
		return fmt.Errorf("popvault account add: %w", err)
	}
	if err := runCmd(e.popvaultCmd(archivePath, "fetch", "--quiet")); err != nil {
		return fmt.Errorf("popvault fetch: %w", err)
	}
	maildir := filepath.Join(e.work, "restore", "maildir", "INBOX")
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(maildir, sub), 0o700)
	}
	for i, m := range msgs {
		name := fmt.Sprintf("%d.M%dP1.bench:2,", 1700000000+i, i)
		if err := os.WriteFile(filepath.Join(maildir, "cur", name), m, 0o600); err != nil {
			return err
		}
	}

	proxy, err := latency.New(d.IMAPTLSAddr(), 40*time.Millisecond)
	if err != nil {
		return err
	}
	defer proxy.Close()
	var proxyPort int
	fmt.Sscan(proxy.Addr[strings.LastIndexByte(proxy.Addr, ':')+1:], &proxyPort)
	links := []struct {
		name string
		port int
		rtt  time.Duration
	}{{"direct", d.IMAPTLSPort, 0}, {"40 ms RTT", proxyPort, 40 * time.Millisecond}}
	type result struct {
		wall []time.Duration
		mem  procmem.Peak // the largest of the runs (a lower bound: sampled)
	}
	results := map[string]*result{}
	n := 0
	for _, link := range links {
		proxy.SetRTT(link.rtt)
		for r := 0; r < runs; r++ {
			for _, tool := range []string{"popvault", "mbsync"} {
				n++
				mailbox := fmt.Sprintf("Restore%d", n)
				var cmd *exec.Cmd
				if tool == "popvault" {
					cmd = e.popvaultCmd(archivePath, "restore", "--host", "127.0.0.1", "--port", fmt.Sprint(link.port),
						"--ca-file", d.CAFile, "--user", d.User2, "--password-stdin", "--mailbox", mailbox, "--create", "--quiet")
					cmd.Stdin = strings.NewReader(d.Password2 + "\n")
				} else if cmd, err = e.mbsync(filepath.Dir(maildir), link.port, mailbox); err != nil {
					return err
				}
				syscall.Sync()
				start := time.Now()
				peak, err := procmem.Run(cmd)
				if err != nil {
					return fmt.Errorf("%s (%s): %w", tool, link.name, err)
				}
				wall := time.Since(start)
				got, err := e.countIMAP(mailbox)
				if err != nil {
					return err
				}
				if got != messages {
					return fmt.Errorf("%s (%s): %d messages in %s, want %d", tool, link.name, got, mailbox, messages)
				}
				key := tool + "|" + link.name
				if results[key] == nil {
					results[key] = &result{}
				}
				res := results[key]
				res.wall = append(res.wall, wall)
				res.mem = procmem.Peak{All: max(res.mem.All, peak.All), Anon: max(res.mem.Anon, peak.Anon)}
			}
		}
		for _, tool := range []string{"popvault", "mbsync"} {
			fmt.Fprintf(os.Stderr, "%s, %s: %v\n", tool, link.name, results[tool+"|"+link.name].wall)
		}
	}
	fmt.Println("| tool | direct | ratio to mbsync | 40 ms RTT | ratio to mbsync | peak memory | of it anonymous |\n|---|---|---|---|---|---|---|")
	for _, tool := range []string{"popvault", "mbsync"} {
		fmt.Printf("| %s |", tool)
		var mem procmem.Peak
		for _, link := range links {
			res := results[tool+"|"+link.name]
			m := median(res.wall)
			ref := median(results["mbsync|"+link.name].wall)
			fmt.Printf(" %.3f s | %.2fx |", m.Seconds(), m.Seconds()/ref.Seconds())
			mem = procmem.Peak{All: max(mem.All, res.mem.All), Anon: max(mem.Anon, res.mem.Anon)}
		}
		fmt.Printf(" %.0f MB | %.0f MB |\n", float64(mem.All)/1024, float64(mem.Anon)/1024)
	}
	fmt.Println()
	return nil
}

// mbsync pushes the Maildir folder INBOX under root into a new mailbox,
// with a fresh sync state: every message is new to it.
func (e *env) mbsync(root string, port int, mailbox string) (*exec.Cmd, error) {
	state := filepath.Join(e.work, "restore", "state-"+mailbox)
	if err := os.MkdirAll(state, 0o700); err != nil {
		return nil, err
	}
	rc := fmt.Sprintf(`IMAPAccount bench
Host 127.0.0.1
Port %d
User %s
Pass %s
SSLType IMAPS
CertificateFile %s

IMAPStore far
Account bench

MaildirStore near
Path %s/
Inbox %s/INBOX

Channel push
Far :far:%s
Near :near:INBOX
Create Far
Sync Push New
Expunge None
SyncState %s/
`, port, e.d.User2, e.d.Password2, e.d.CAFile, root, root, mailbox, state)
	path := filepath.Join(state, "mbsyncrc")
	if err := os.WriteFile(path, []byte(rc), 0o600); err != nil {
		return nil, err
	}
	return exec.Command("mbsync", "-q", "-c", path, "push"), nil
}

// countIMAP counts the messages in bob's mailbox, from the Maildir.
func (e *env) countIMAP(mailbox string) (int, error) {
	n := 0
	for _, sub := range []string{"cur", "new"} {
		entries, err := os.ReadDir(filepath.Join(e.d.MaildirOf(e.d.User2), "."+mailbox, sub))
		if err != nil {
			return 0, err
		}
		n += len(entries)
	}
	return n, nil
}
