package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"popvault/archive"
	"popvault/credentials"
	"popvault/internal/mailgen"
	"popvault/render"
)

// BenchmarkOpenMessage is what opening a message costs: parsing it from
// the archive, rendering and laying out its body (off the UI goroutine in
// the app) and showing it in the reader. The messages are the usual mix,
// one in twenty with a large attachment, and the HTML mail of render's
// corpus (a receipt, a newsletter, a reply chain, a statement...). Each
// iteration opens them all; the median and the worst open are reported.
func BenchmarkOpenMessage(b *testing.B) { benchOpen(b, false) }

// BenchmarkOpenMessageWhileIndexing is the same while the archive's
// full-text index is rebuilt, again and again, on every core (target:
// under 100 ms).
func BenchmarkOpenMessageWhileIndexing(b *testing.B) { benchOpen(b, true) }

func benchOpen(b *testing.B, indexing bool) {
	a := test.NewTempApp(b)
	path := filepath.Join(b.TempDir(), "a.db")
	var u *UI
	var err error
	ui(func() {
		w := a.NewWindow("bench")
		if u, err = New(a, w, Options{ArchivePath: path, Secrets: &credentials.MemorySecrets{}}); err == nil {
			w.SetContent(u.Content())
			w.Resize(fyne.NewSize(1100, 700))
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	defer u.Close()
	var batch []archive.Incoming
	for i, m := range mailgen.Corpus(200, 11) {
		batch = append(batch, archive.Incoming{Account: "a", UID: strconv.Itoa(i), Raw: m.Data})
	}
	htmls, _ := filepath.Glob("../render/testdata/*.html")
	for i, f := range htmls {
		body, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		raw := "From: Shop <shop@example.org>\r\nSubject: " + filepath.Base(f) + "\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + string(body)
		batch = append(batch, archive.Incoming{Account: "a", UID: "html" + strconv.Itoa(i), Raw: []byte(raw)})
	}
	stored, err := u.arch.Store(batch)
	if err != nil {
		b.Fatal(err)
	}
	if indexing {
		var more []archive.Incoming
		for i, m := range mailgen.Corpus(3000, 12) {
			more = append(more, archive.Incoming{Account: "b", UID: strconv.Itoa(i), Raw: m.Data})
		}
		if _, err := u.arch.Store(more); err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			for ctx.Err() == nil {
				u.arch.SearchIndex().Rebuild(ctx)
			}
		}()
		defer func() { cancel(); <-done }()
		time.Sleep(time.Second) // under way
	}
	var cols int
	ui(func() { cols = u.reader.columns() })
	var times []time.Duration
	b.ResetTimer()
	for range b.N {
		for _, s := range stored {
			start := time.Now()
			v, err := u.arch.View(s.ID)
			if err != nil {
				b.Fatal(err)
			}
			doc := bodyDoc(v)
			lines := render.Layout(doc, cols)
			ui(func() { u.reader.show(&openedMessage{v: v, doc: doc, lines: lines, cols: cols}) })
			times = append(times, time.Since(start))
		}
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "ms-worst")
}
