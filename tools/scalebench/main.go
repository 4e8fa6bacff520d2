//go:build linux

// Command scalebench measures popvault on an archive of a million
// generated messages (make bench-scale), as a user would meet it: the
// popvault binary run as its own process, each figure a row of issue
// #18's table. It generates the mail with internal/mailgen (2 to 8 KB of
// text each: reproducible from the seeds), as two mbox halves, imports the
// first into an empty archive and the second into that one, then times
// what a person waits for. The window's row comes from the window test
// under Xvfb (TestWindowUnderXvfb), pointed at the same archive.
//
// It takes a while (about an hour for the million on two cores, most of
// it indexing) and is not part of make test; -messages makes it smaller.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"popvault/internal/mailgen"
	"popvault/tools/procmem"
)

func main() {
	n := flag.Int("messages", 1_000_000, "messages in the archive, in two halves")
	keep := flag.Bool("keep", false, "keep the work folder (its path is printed)")
	window := flag.Bool("window", true, "time the window under Xvfb too")
	flag.Parse()
	if err := run(*n, *keep, *window); err != nil {
		fmt.Fprintln(os.Stderr, "scalebench:", err)
		os.Exit(1)
	}
}

// result is one timed run of the binary.
type result struct {
	wall       time.Duration
	peak, anon int64 // bytes: the peak RSS and the own memory, sampled (procmem)
}

func run(n int, keep, window bool) error {
	work, err := os.MkdirTemp("", "popvault-scale-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("work folder:", work)
	} else {
		defer os.RemoveAll(work)
	}
	binary := filepath.Join(work, "popvault")
	if out, err := exec.Command("go", "build", "-o", binary, "./cmd/popvault").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v: %s", err, out)
	}
	half := n / 2
	var maildir, raw int64
	var halves []string
	start := time.Now()
	for i, seed := range []uint64{1, 2} {
		path := filepath.Join(work, fmt.Sprintf("half%d.mbox", i+1))
		r, b, err := writeMbox(path, seed, half)
		if err != nil {
			return err
		}
		raw, maildir = raw+r, maildir+b
		halves = append(halves, path)
	}
	fmt.Printf("%d generated messages in %v: %.2f GB of mail, %.2f GB as Maildir files (4 KiB blocks)\n\n",
		2*half, time.Since(start).Round(time.Second), float64(raw)/1e9, float64(maildir)/1e9)

	archive := filepath.Join(work, "archive.db")
	pv := func(args ...string) *exec.Cmd {
		c := exec.Command(binary, append([]string{"--archive", archive}, args...)...)
		c.Env = append(os.Environ(), "XDG_CONFIG_HOME="+filepath.Join(work, "config"))
		return c
	}
	fmt.Println("| what | at", 2*half, "| peak RSS | of it own memory |")
	fmt.Println("|---|---|---|---|")
	for i, h := range halves {
		r, err := measure(pv("import", "--format", "mbox", "--account", "scale", "--no-index", h))
		if err != nil {
			return err
		}
		into := "an empty archive"
		if i > 0 {
			into = fmt.Sprintf("one of %d", half)
		}
		fmt.Printf("| `popvault import --no-index` of %d into %s | %v | %s | %s |\n", half, into, r.wall.Round(100*time.Millisecond), mb(r.peak), mb(r.anon))
	}
	size, _ := fileSize(archive)
	fmt.Printf("| the archive's size | %.2f GB, %.2fx the Maildir | | |\n", float64(size)/1e9, float64(size)/float64(maildir))
	for _, c := range [][]string{{"list", "--limit", "100"}, {"account", "list"}} {
		var walls []time.Duration
		var last result
		for range 5 {
			r, err := measure(pv(c...))
			if err != nil {
				return err
			}
			walls, last = append(walls, r.wall), r
		}
		slices.Sort(walls)
		fmt.Printf("| `popvault %s` (median of 5) | %v | %s | %s |\n", strings.Join(c, " "), walls[2].Round(time.Millisecond), mb(last.peak), mb(last.anon))
	}
	r, err := measure(pv("reindex"))
	if err != nil {
		return err
	}
	fmt.Printf("| `popvault reindex`: %.0f messages/s | %v | %s | %s |\n", float64(2*half)/r.wall.Seconds(), r.wall.Round(time.Second), mb(r.peak), mb(r.anon))
	var walls []time.Duration
	for range 3 {
		r, err := measure(pv("list", "--search", "hotel", "--limit", "20"))
		if err != nil {
			return err
		}
		walls = append(walls, r.wall)
	}
	slices.Sort(walls)
	fmt.Printf("| `popvault list --search hotel --limit 20` (median of 3) | %v | | |\n", walls[1].Round(time.Millisecond))
	r, err = measure(pv("verify"))
	if err != nil {
		return err
	}
	fmt.Printf("| `popvault verify` | %v | %s | %s |\n", r.wall.Round(time.Second), mb(r.peak), mb(r.anon))
	// An import that indexes as it goes (the default), into the archive
	// of n: a tenth more, new mail.
	more := filepath.Join(work, "more.mbox")
	if _, _, err := writeMbox(more, 3, n/10); err != nil {
		return err
	}
	if r, err = measure(pv("import", "--format", "mbox", "--account", "more", more)); err != nil {
		return err
	}
	fmt.Printf("| `popvault import` of %d more, indexed as it goes, into the archive of %d: %.0f messages/s | %v | %s | %s |\n",
		n/10, 2*half, float64(n/10)/r.wall.Seconds(), r.wall.Round(time.Second), mb(r.peak), mb(r.anon))
	if window {
		if err := windowRows(archive); err != nil {
			return err
		}
	}
	return nil
}

// windowRows runs the window test on the archive and prints what it
// logged: the time to a painted list, and the memory at each step.
func windowRows(archive string) error {
	c := exec.Command("go", "test", "-count=1", "-v", "-timeout", "60m", "-run", "TestWindowUnderXvfb$", "./cmd/popvault/")
	c.Env = append(os.Environ(), "POPVAULT_WINDOW_ARCHIVE="+archive)
	out, err := c.CombinedOutput()
	if err != nil {
		return fmt.Errorf("the window test: %v: %s", err, out)
	}
	logged := regexp.MustCompile(`screenshot_test\.go:\d+: (.*)`)
	for _, m := range logged.FindAllSubmatch(out, -1) {
		fmt.Printf("| the window: %s | | | |\n", m[1])
	}
	return nil
}

// writeMbox writes n messages of seed as an mboxrd file, and returns
// their size and what they would take as Maildir files.
func writeMbox(path string, seed uint64, n int) (raw, maildir int64, err error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	g := mailgen.New(seed)
	for range n {
		m := g.NextSmall().Data
		raw += int64(len(m))
		maildir += (int64(len(m)) + 4095) / 4096 * 4096
		w.WriteString("From scale@popvault Thu Jan  1 00:00:00 2026\n")
		for line := range bytes.Lines(m) {
			if bytes.HasPrefix(bytes.TrimLeft(line, ">"), []byte("From ")) {
				w.WriteByte('>')
			}
			w.Write(line)
		}
		if !bytes.HasSuffix(m, []byte("\n")) {
			w.WriteByte('\n')
		}
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, 0, err
	}
	return raw, maildir, f.Close()
}

// measure runs c and returns its time and peak memory.
func measure(c *exec.Cmd) (result, error) {
	start := time.Now()
	peak, err := procmem.Run(c)
	if err != nil {
		return result{}, fmt.Errorf("%s: %w", strings.Join(c.Args[1:], " "), err)
	}
	return result{wall: time.Since(start), peak: peak.All << 10, anon: peak.Anon << 10}, nil
}

// mb is a size in MB; "-" for none seen (a run shorter than a sample).
func mb(v int64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%d MB", v>>20)
}

func fileSize(path string) (int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}
