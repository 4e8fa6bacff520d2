package schedule

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"strings"
	"time"
)

// errNoCron: the crontab command is not installed.
var errNoCron = errors.New("schedule: crontab is not installed")

// readCrontab returns the user's crontab as `crontab -l` prints it; empty
// when the user has none.
func (s *Scheduler) readCrontab(ctx context.Context) ([]byte, error) {
	out, err := s.output(exec.CommandContext(ctx, "crontab", "-l"), nil)
	if err == nil {
		return out, nil
	}
	if errors.Is(err, exec.ErrNotFound) {
		return nil, errNoCron
	}
	// Every cron (Debian's, cronie, busybox) says so when there is none.
	var ce *commandError
	if errors.As(err, &ce) && strings.Contains(ce.stderr, "no crontab for") {
		return nil, nil
	}
	return nil, fmt.Errorf("schedule: reading your crontab: %w", err)
}

// writeCrontab installs tab as the user's crontab; an empty one removes
// the crontab, as it was before popvault added to it.
func (s *Scheduler) writeCrontab(ctx context.Context, tab []byte) error {
	var err error
	if len(tab) == 0 {
		_, err = s.output(exec.CommandContext(ctx, "crontab", "-r"), nil)
	} else {
		_, err = s.output(exec.CommandContext(ctx, "crontab", "-"), tab)
	}
	if err != nil {
		return fmt.Errorf("schedule: writing your crontab: %w", err)
	}
	return nil
}

// cronBlock is popvault's two lines for a job: a marker comment naming it
// and its archive, then the job itself.
func cronBlock(sp Spec, name string, step int, at slot) []byte {
	words := make([]string, 0, 8)
	for _, e := range sp.Env {
		k, v, _ := strings.Cut(e, "=")
		words = append(words, k+"="+shQuote(v))
	}
	for _, w := range sp.command() {
		words = append(words, shQuote(w))
	}
	return []byte(fmt.Sprintf("# %s: popvault's scheduled backup of %s, every %s; `popvault schedule off` removes it\n%s %s\n",
		name, archiveWords(sp.Archive), minutesWords(step), cronSpec(step, at), cronEscape(strings.Join(words, " "))))
}

// findBlock finds name's lines in tab: the marker comment and, unless
// someone removed it, the job line after it. end includes the last
// line's newline.
func findBlock(tab []byte, name string) (start, end int, found bool) {
	marker := []byte("# " + name + ": ")
	for off := 0; off < len(tab); {
		line, next := lineAt(tab, off)
		if bytes.HasPrefix(line, marker) {
			end = next
			if job, after := lineAt(tab, next); next < len(tab) && len(bytes.TrimSpace(job)) > 0 && job[0] != '#' {
				end = after
			}
			return off, end, true
		}
		off = next
	}
	return 0, 0, false
}

// lineAt returns the line at off without its newline, and where the next
// one starts.
func lineAt(tab []byte, off int) (line []byte, next int) {
	i := bytes.IndexByte(tab[off:], '\n')
	if i < 0 {
		return tab[off:], len(tab)
	}
	return tab[off : off+i], off + i + 1
}

// spliceIn puts block in tab in place of name's lines, or at the end;
// every other byte stays as it was, but for a newline that a last line
// without one needs before popvault's.
func spliceIn(tab []byte, name string, block []byte) []byte {
	if start, end, ok := findBlock(tab, name); ok {
		out := append(append(append([]byte(nil), tab[:start]...), block...), tab[end:]...)
		return out
	}
	out := append([]byte(nil), tab...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return append(out, block...)
}

// spliceOut takes name's lines out of tab.
func spliceOut(tab []byte, name string) ([]byte, bool) {
	start, end, ok := findBlock(tab, name)
	if !ok {
		return tab, false
	}
	return append(append([]byte(nil), tab[:start]...), tab[end:]...), true
}

func (s *Scheduler) installCron(ctx context.Context, sp Spec) (Job, error) {
	tab, err := s.readCrontab(ctx)
	if err != nil {
		return Job{}, err
	}
	name := Name(sp.Archive)
	step := calendarStep(sp.Every)
	if err := s.writeCrontab(ctx, spliceIn(tab, name, cronBlock(sp, name, step, slotFor(name, step)))); err != nil {
		return Job{}, err
	}
	return s.cronStatus(ctx, name)
}

func (s *Scheduler) removeCron(ctx context.Context, name string) (bool, error) {
	tab, err := s.readCrontab(ctx)
	if err != nil {
		return false, err
	}
	out, found := spliceOut(tab, name)
	if !found {
		return false, nil
	}
	return true, s.writeCrontab(ctx, out)
}

func (s *Scheduler) cronStatus(ctx context.Context, name string) (Job, error) {
	tab, err := s.readCrontab(ctx)
	if err != nil {
		return Job{}, err
	}
	start, end, ok := findBlock(tab, name)
	if !ok {
		return Job{}, ErrNotInstalled
	}
	job := Job{Name: name, Mechanism: Cron, Where: []string{"the crontab of " + userName()}}
	_, next := lineAt(tab, start)
	if next >= end {
		return job, nil // the marker alone: someone removed the job's line
	}
	line, _ := lineAt(tab, next)
	fields := strings.Fields(string(line))
	if len(fields) == 0 {
		return job, nil
	}
	var rest string
	if strings.HasPrefix(fields[0], "@") { // @hourly, @daily
		job.Schedule = fields[0]
		job.Every = map[string]time.Duration{"@hourly": time.Hour, "@daily": 24 * time.Hour}[fields[0]]
		rest = strings.TrimSpace(strings.TrimPrefix(string(line), fields[0]))
	} else if len(fields) > 5 {
		job.Schedule = strings.Join(fields[:5], " ")
		job.Every = cronEvery(fields[:5])
		rest = string(line)
		for range 5 {
			rest = strings.TrimLeft(rest, " \t")
			rest = rest[strings.IndexAny(rest+" ", " \t"):]
		}
	}
	words, err := shSplit(cronUnescape(strings.TrimSpace(rest)))
	if err != nil {
		return job, fmt.Errorf("schedule: popvault's line in your crontab: %w", err)
	}
	for len(words) > 0 {
		k, _, ok := strings.Cut(words[0], "=")
		if !ok || !validEnvName(k) {
			break
		}
		job.Env = append(job.Env, words[0])
		words = words[1:]
	}
	job.Command = words
	return job, nil
}

func userName() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "user " + strconv.Itoa(os.Getuid())
}
