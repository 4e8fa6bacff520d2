package ui

import (
	"path/filepath"
	"strconv"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"popvault/archive"
	"popvault/fetch"
	"popvault/internal/mailgen"
)

// BenchmarkOpenMessage is what opening a message costs: parsing it from
// the archive (off the UI goroutine in the app) and laying out the reader.
// The messages are the usual mix, one in twenty with a large attachment.
func BenchmarkOpenMessage(b *testing.B) {
	a := test.NewTempApp(b)
	path := filepath.Join(b.TempDir(), "a.db")
	var u *UI
	var err error
	ui(func() {
		w := a.NewWindow("bench")
		if u, err = New(a, w, Options{ArchivePath: path, Secrets: &fetch.MemorySecrets{}}); err == nil {
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
	stored, err := u.arch.Store(batch)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		v, err := u.arch.View(stored[i%len(stored)].ID)
		if err != nil {
			b.Fatal(err)
		}
		ui(func() { u.reader.show(v, nil) })
	}
}
