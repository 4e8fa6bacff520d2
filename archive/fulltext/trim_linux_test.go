package fulltext

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestSearchGivesPagesBack: a search over an index of some megabytes
// leaves no more than a few pages of its files resident in the process.
func TestSearchGivesPagesBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	words := make([]string, 5000)
	for i := range words {
		words[i] = fmt.Sprintf("w%dx", i)
	}
	r := rand.New(rand.NewPCG(1, 2))
	var docs []Doc
	for i := range 3000 {
		var b strings.Builder
		for range 200 {
			b.WriteString(words[r.IntN(len(words))])
			b.WriteByte(' ')
		}
		b.WriteString("common")
		docs = append(docs, Doc{ID: uint64(i + 1), Date: day("2024-01-01").Add(time.Duration(i) * time.Minute), Accounts: []string{"a"}, Body: b.String()})
	}
	// One batch: a segment or two, which no merge reads meanwhile.
	if err := x.Apply(docs, nil, []byte("o"), uint64(len(docs))); err != nil {
		t.Fatal(err)
	}
	if err := x.Sync(); err != nil {
		t.Fatal(err)
	}
	x.Close()
	if x, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	abs, _ := filepath.Abs(dir)
	for _, w := range []string{"common", "w1x", `"w1x w2x"`} {
		q, err := Parse(w, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.Search(q, "", nil, 20, nil); err != nil {
			t.Fatal(err)
		}
		if kb := residentKB(t, abs); kb > 256 {
			t.Errorf("after searching %s, %d kB of the index's %d MB stay resident", w, kb, dirSize(t, abs)>>20)
		}
	}
}

// residentKB sums the resident pages of the process's mappings of files
// under dir.
func residentKB(t *testing.T, dir string) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kb, inside := 0, false
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := s.Text()
		fields := strings.Fields(line)
		switch {
		case len(fields) >= 5 && !strings.HasSuffix(fields[0], ":"): // a mapping's first line
			inside = len(fields) >= 6 && strings.HasPrefix(fields[5], dir+"/")
		case inside && fields[0] == "Rss:":
			n, _ := strconv.Atoi(fields[1])
			kb += n
		}
	}
	return kb
}

func dirSize(t *testing.T, dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

// Trim advises only the mappings the index's snapshot holds. Another
// mapping of one of its segment files (here a private one with a write
// in it; in life, the mapping of a segment of before a reset, recreated
// under its name, or an address Go's heap took over after it) keeps its
// pages: advice found by file name would have thrown the write away.
func TestTrimLeavesOtherMappingsAlone(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "idx")
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	docs := []Doc{{ID: 1, Date: day("2024-01-01"), Accounts: []string{"a"}, Body: "some words to index"}}
	if err := x.Apply(docs, nil, []byte("o"), 1); err != nil {
		t.Fatal(err)
	}
	if err := x.Sync(); err != nil {
		t.Fatal(err)
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "store", "*.zap"))
	if len(segs) == 0 {
		t.Fatalf("no segment file under %s", dir)
	}
	f, err := os.Open(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	other, err := unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(other)
	want := other[0] ^ 0xff
	other[0] = want
	x.Trim()
	if other[0] != want {
		t.Fatal("Trim gave advice to a mapping the index does not hold: its page was thrown away")
	}
}
