package health

import (
	"path/filepath"
	"testing"
	"time"

	"popvault/archive"
	"popvault/fetch"
)

// BenchmarkStore is what recording an account's health adds to a fetch
// that brought nothing: one commit, with its fsync, as a scheduled run
// makes it.
func BenchmarkStore(b *testing.B) {
	arch, err := archive.Open(filepath.Join(b.TempDir(), "archive.db"), &archive.Options{NoFullText: true})
	if err != nil {
		b.Fatal(err)
	}
	defer arch.Close()
	home := fetch.Account{Name: "home", Host: "pop.example.org", User: "me", CheckEveryMinutes: 60}
	if err := fetch.AddAccount(arch, home); err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	b.ResetTimer()
	for i := range b.N {
		if _, err := Store(arch, home, fetch.Result{Account: "home"}, now.Add(time.Duration(i)*time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
}
