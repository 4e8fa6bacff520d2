//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
	"popvault/tools/latency"
)

// deliveryTable times popvault's fetch-and-deliver (POP3S from Dovecot
// into its archive and on into a Dovecot IMAP mailbox over IMAPS) against
// the pipeline a person would assemble from the peers: mpop into a
// Maildir, then mbsync pushing that Maildir to the IMAP server (the two
// commands' times summed). Both links, POP3 and IMAP, go through the
// same added round trip. Then the nothing-new cycle at 40 ms: popvault's
// fetch of an account that delivers, with nothing new and nothing
// waiting, against mpop's own nothing-new check.
func (e *env) deliveryTable(messages, runs int) error {
	if _, err := exec.LookPath("mbsync"); err != nil {
		return fmt.Errorf("mbsync is not installed (make deps installs isync)")
	}
	fmt.Printf("Delivery: %d messages of the usual mix from Dovecot POP3 into a new Dovecot IMAP mailbox, both over TLS; popvault fetch (archive and deliver) against mpop into a Maildir plus mbsync pushing it (their sum); median of %d runs.\n\n", messages, runs)
	d, err := dovecot.StartWith(dovecot.Options{IMAP: true})
	if err != nil {
		return err
	}
	defer d.Close()
	e.d = d
	g := mailgen.New(2026)
	var size int64
	for done := 0; done < messages; done += 500 {
		var batch [][]byte
		for i := done; i < min(messages, done+500); i++ {
			m := g.Next().Data
			batch = append(batch, m)
			size += int64(len(m))
		}
		if err := d.Deliver(batch...); err != nil {
			return err
		}
	}
	fmt.Printf("(%d messages, %.1f MB)\n\n", messages, float64(size)/1e6)
	pop, err := latency.New(d.TLSAddr(), 0)
	if err != nil {
		return err
	}
	defer pop.Close()
	imap, err := latency.New(d.IMAPTLSAddr(), 0)
	if err != nil {
		return err
	}
	defer imap.Close()
	setRTT := func(rtt time.Duration) { pop.SetRTT(rtt); imap.SetRTT(rtt) }
	portOf := func(addr string) int { n, _ := strconv.Atoi(addr[strings.LastIndexByte(addr, ':')+1:]); return n }
	popPort, imapPort := portOf(pop.Addr), portOf(imap.Addr)

	links := []struct {
		name string
		rtt  time.Duration
	}{{"direct", 0}, {"40 ms RTT", 40 * time.Millisecond}}
	results := map[string][]time.Duration{}
	n := 0
	var lastPopvault, lastMpop string // stores filled at 40 ms, for the nothing-new cycle
	for _, link := range links {
		for r := 0; r < runs; r++ {
			n++
			// popvault: a fresh archive and account, delivering into a
			// new mailbox; only the fetch is timed.
			dir := filepath.Join(e.work, fmt.Sprintf("deliver-popvault-%d", n))
			os.MkdirAll(dir, 0o700)
			archivePath := filepath.Join(dir, "archive.db")
			mailbox := fmt.Sprintf("Popvault%d", n)
			setRTT(0)
			add := e.popvaultCmd(archivePath, "account", "add", "--name", "bench", "--host", "127.0.0.1",
				"--port", fmt.Sprint(popPort), "--ca-file", d.CAFile, "--user", d.User, "--password-stdin")
			add.Stdin = strings.NewReader(d.Password + "\n")
			if err := runCmd(add); err != nil {
				return fmt.Errorf("popvault account add: %w", err)
			}
			on := e.popvaultCmd(archivePath, "account", "deliver", "--name", "bench", "--host", "127.0.0.1",
				"--port", fmt.Sprint(imapPort), "--ca-file", d.CAFile, "--user", d.User2, "--mailbox", mailbox, "--create", "--password-stdin")
			on.Stdin = strings.NewReader(d.Password2 + "\n")
			if err := runCmd(on); err != nil {
				return fmt.Errorf("popvault account deliver: %w", err)
			}
			syscall.Sync()
			setRTT(link.rtt)
			start := time.Now()
			if err := runCmd(e.popvaultCmd(archivePath, "fetch", "--quiet")); err != nil {
				return fmt.Errorf("popvault fetch (%s): %w", link.name, err)
			}
			results["popvault|"+link.name] = append(results["popvault|"+link.name], time.Since(start))
			if got, err := e.countIMAP(mailbox); err != nil || got != messages {
				return fmt.Errorf("popvault (%s): %d messages in %s, want %d (%v)", link.name, got, mailbox, messages, err)
			}

			// The pipeline: mpop into a fresh Maildir, then mbsync
			// pushing it into a new mailbox.
			pdir := filepath.Join(e.work, fmt.Sprintf("deliver-pipeline-%d", n))
			for _, sub := range []string{"cur", "new", "tmp"} {
				os.MkdirAll(filepath.Join(pdir, "INBOX", sub), 0o700)
			}
			rc := filepath.Join(pdir, "mpoprc")
			conf := mpopAccount("bench", "127.0.0.1", popPort, d.CAFile, d.User, d.Password, pdir+"/uidls", pdir+"/INBOX")
			if err := os.WriteFile(rc, []byte(conf), 0o600); err != nil {
				return err
			}
			target := fmt.Sprintf("Pipeline%d", n)
			push, err := e.mbsync(pdir, imapPort, target)
			if err != nil {
				return err
			}
			syscall.Sync()
			start = time.Now()
			if err := runCmd(exec.Command("mpop", "-C", rc, "-q", "bench")); err != nil {
				return fmt.Errorf("mpop (%s): %w", link.name, err)
			}
			mid := time.Since(start)
			start = time.Now()
			if err := runCmd(push); err != nil {
				return fmt.Errorf("mbsync (%s): %w", link.name, err)
			}
			pushed := time.Since(start)
			results["mpop+mbsync|"+link.name] = append(results["mpop+mbsync|"+link.name], mid+pushed)
			results["mpop|"+link.name] = append(results["mpop|"+link.name], mid)
			results["mbsync|"+link.name] = append(results["mbsync|"+link.name], pushed)
			if got, err := e.countIMAP(target); err != nil || got != messages {
				return fmt.Errorf("mpop+mbsync (%s): %d messages in %s, want %d (%v)", link.name, got, target, messages, err)
			}
			if link.rtt > 0 {
				lastPopvault, lastMpop = archivePath, rc
			} else {
				os.RemoveAll(dir)
				os.RemoveAll(pdir)
			}
		}
		for _, k := range []string{"popvault", "mpop+mbsync", "mpop", "mbsync"} {
			fmt.Fprintf(os.Stderr, "%s, %s: %v\n", k, link.name, results[k+"|"+link.name])
		}
	}
	fmt.Println("| tool | direct | ratio to the pipeline | 40 ms RTT | ratio to the pipeline |\n|---|---|---|---|---|")
	for _, k := range []string{"popvault", "mpop+mbsync", "mpop", "mbsync"} {
		fmt.Printf("| %s |", k)
		for _, link := range links {
			m := median(results[k+"|"+link.name])
			fmt.Printf(" %.3f s | %.2fx |", m.Seconds(), m.Seconds()/median(results["mpop+mbsync|"+link.name]).Seconds())
		}
		fmt.Println()
	}
	fmt.Println()

	// Nothing new at 40 ms: each store was filled by the last run above.
	setRTT(40 * time.Millisecond)
	var pv, mp []time.Duration
	for r := 0; r < runs; r++ {
		syscall.Sync()
		start := time.Now()
		if err := runCmd(e.popvaultCmd(lastPopvault, "fetch", "--quiet")); err != nil {
			return fmt.Errorf("popvault fetch, nothing new: %w", err)
		}
		pv = append(pv, time.Since(start))
		start = time.Now()
		if err := runCmd(exec.Command("mpop", "-C", lastMpop, "-q", "bench")); err != nil {
			return fmt.Errorf("mpop, nothing new: %w", err)
		}
		mp = append(mp, time.Since(start))
	}
	fmt.Fprintf(os.Stderr, "nothing new at 40 ms: popvault %v, mpop %v\n", pv, mp)
	fmt.Printf("Nothing new at 40 ms RTT, %d messages kept, the account delivering (no IMAP connection when nothing waits): popvault %.3f s, mpop %.3f s, %.2fx.\n\n",
		messages, median(pv).Seconds(), median(mp).Seconds(), median(pv).Seconds()/median(mp).Seconds())
	return nil
}
