package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"popvault/fetch"
	"popvault/internal/termtext"
)

// progressBar draws one line on a terminal, at most ten times a second.
// Off a terminal it draws nothing, so cron mail stays short.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	last  time.Time
	width int
}

func newProgressBar(w io.Writer) *progressBar {
	p := &progressBar{w: w, width: 80, on: isTerminal(w)}
	if p.on {
		if cols, _, err := term.GetSize(int(w.(*os.File).Fd())); err == nil && cols > 20 {
			p.width = cols
		}
	}
	return p
}

// isTerminal reports whether w is a terminal, where a line may be redrawn.
func isTerminal(w io.Writer) bool {
	if u, ok := w.(interface{ Underlying() io.Writer }); ok {
		w = u.Underlying()
	}
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (p *progressBar) update(pr fetch.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.on || time.Since(p.last) < 100*time.Millisecond && pr.Messages != pr.MessagesTotal {
		return
	}
	p.last = time.Now()
	line := fmt.Sprintf("%s: %s", pr.Account, pr.Stage)
	if pr.Stage == fetch.StageDownloading && pr.MessagesTotal > 0 {
		const cells = 20
		done := cells * pr.Messages / pr.MessagesTotal
		line = fmt.Sprintf("%s [%s%s] %d/%d  %s/%s  %s", pr.Account, strings.Repeat("#", done), strings.Repeat("-", cells-done),
			pr.Messages, pr.MessagesTotal, megabytes(pr.Bytes), megabytes(pr.BytesTotal), pr.Subject)
	}
	line = termtext.Clean(line) // the subject is a stranger's text
	if r := []rune(line); len(r) > p.width-1 {
		line = string(r[:p.width-1])
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
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
	fmt.Fprintf(p.w, "\r\x1b[K%s [%s%s] %d/%d", label, strings.Repeat("#", filled), strings.Repeat("-", cells-filled), done, total)
}

func (p *progressBar) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
