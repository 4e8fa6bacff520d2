package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"popvault/fetch"
	"popvault/internal/termtext"
)

// progressBar draws live lines on a terminal, one per account being
// fetched (accounts are fetched at once), at most ten times a second, and
// prints lasting lines above them. Off a terminal it draws nothing, so
// cron mail stays short.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	last  time.Time
	width int
	order []string          // accounts with a live line, in the order they began
	lines map[string]string // each one's line
	drawn int               // lines on the screen now, the cursor on the last
}

func newProgressBar(w io.Writer) *progressBar {
	p := &progressBar{w: w, width: 80, on: isTerminal(w), lines: map[string]string{}}
	if p.on {
		if cols, _, err := term.GetSize(int(terminalFile(w).Fd())); err == nil && cols > 20 {
			p.width = cols
		}
	}
	return p
}

func (p *progressBar) update(pr fetch.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.on {
		return
	}
	if _, ok := p.lines[pr.Account]; !ok {
		p.order = append(p.order, pr.Account)
	}
	line := fmt.Sprintf("%s: %s", pr.Account, pr.Stage)
	if pr.Stage == fetch.StageDownloading && pr.MessagesTotal > 0 {
		const cells = 20
		done := cells * pr.Messages / pr.MessagesTotal
		line = fmt.Sprintf("%s [%s%s] %d/%d  %s/%s  %s", pr.Account, strings.Repeat("#", done), strings.Repeat("-", cells-done),
			pr.Messages, pr.MessagesTotal, megabytes(pr.Bytes), megabytes(pr.BytesTotal), pr.Subject)
	}
	p.lines[pr.Account] = p.fit(line)
	if time.Since(p.last) < 100*time.Millisecond && pr.Messages != pr.MessagesTotal {
		return
	}
	p.last = time.Now()
	p.erase()
	p.draw()
}

// fit makes a line safe (a subject is a stranger's text) and one row.
func (p *progressBar) fit(line string) string {
	line = termtext.Clean(line)
	if r := []rune(line); len(r) > p.width-1 {
		line = string(r[:p.width-1])
	}
	return line
}

// erase clears the live lines, leaving the cursor where the first was.
func (p *progressBar) erase() {
	if p.drawn == 0 {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K"+strings.Repeat("\x1b[1A\x1b[K", p.drawn-1))
	p.drawn = 0
}

func (p *progressBar) draw() {
	var rows []string
	for _, a := range p.order {
		rows = append(rows, p.lines[a])
	}
	fmt.Fprint(p.w, strings.Join(rows, "\n"))
	p.drawn = len(rows)
}

// finish takes an account's live line away and prints text (its result)
// in lasting lines above the others; text goes to out, which is the
// terminal's stream or, off a terminal, where results always go.
func (p *progressBar) finish(account string, out io.Writer, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on {
		p.erase()
	}
	delete(p.lines, account)
	p.order = slices.DeleteFunc(p.order, func(a string) bool { return a == account })
	fmt.Fprint(out, text)
	if p.on {
		p.draw()
	}
}

// count draws "label [####----] done/total".
func (p *progressBar) count(label string, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.on || time.Since(p.last) < 100*time.Millisecond && done != total || total == 0 {
		return
	}
	p.last = time.Now()
	const cells = 20
	filled := cells * done / total
	p.erase()
	fmt.Fprintf(p.w, "%s [%s%s] %d/%d", label, strings.Repeat("#", filled), strings.Repeat("-", cells-filled), done, total)
	p.drawn = 1
}

func (p *progressBar) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on {
		p.erase()
	}
}
