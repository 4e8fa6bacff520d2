package archive

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"popvault/internal/mailgen"
)

// BenchmarkStore20000 stores 20,000 messages of the usual size mix in
// batches of 200 with fsync on, and reports the archive's size against the
// same corpus as Maildir files.
func BenchmarkStore20000(b *testing.B) {
	const n, batchSize = 20000, 200
	for range b.N {
		b.StopTimer()
		a := openTemp(b)
		g := mailgen.New(42)
		var raw, blocks int64
		b.StartTimer()
		for done := 0; done < n; done += batchSize {
			b.StopTimer()
			batch := make([]Incoming, batchSize)
			for i := range batch {
				m := g.Next()
				batch[i] = Incoming{Account: "bench", UID: fmt.Sprint(done + i), Raw: m.Data}
				raw += int64(len(m.Data))
				blocks += (int64(len(m.Data)) + 4095) / 4096 * 4096
			}
			b.StartTimer()
			if _, err := a.Store(batch); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		size, _ := a.Size()
		b.ReportMetric(float64(n)/b.Elapsed().Seconds()*float64(b.N), "msgs/s")
		b.ReportMetric(float64(raw)/1e6, "corpus-MB")
		b.ReportMetric(float64(size)/float64(raw), "size/maildir-bytes")
		b.ReportMetric(float64(size)/float64(blocks), "size/maildir-blocks")
		a.Close()
		b.StartTimer()
	}
}

// archive100k returns an archive of 100,000 small messages, built once and
// kept in the temporary folder between runs.
func archive100k(b *testing.B) string { return archiveSmall(b, 100_000) }

// archiveSmall returns an archive of the first n of archive100k's
// messages, built once and kept in the temporary folder between runs.
func archiveSmall(b *testing.B, n int) string {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("popvault-bench-%dk-v1.db", n/1000))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	b.Logf("building %s (once)", path)
	a, err := Open(path+".tmp", &Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	g := mailgen.New(100)
	accounts := []string{"gmail", "work", "home"}
	for done := 0; done < n; done += 1000 {
		batch := make([]Incoming, 1000)
		for i := range batch {
			m := g.NextSmall()
			batch[i] = Incoming{Account: accounts[(done+i)%3], UID: fmt.Sprint(done + i), Raw: m.Data}
		}
		if _, err := a.Store(batch); err != nil {
			b.Fatal(err)
		}
	}
	a.Close()
	if err := os.Rename(path+".tmp", path); err != nil {
		b.Fatal(err)
	}
	return path
}

// archive100kIndexed is archive100k with its full-text index built.
func archive100kIndexed(b *testing.B) string {
	path := archive100k(b)
	a, err := Open(path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	if left, _ := a.SearchIndex().Status(); left > 0 {
		b.Logf("indexing %s (once)", path)
	}
	if err := a.SearchIndex().Wait(context.Background()); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkOpenList100 opens a 100,000-message archive and lists the
// newest 100 records (target: under 50 ms).
func BenchmarkOpenList100(b *testing.B) {
	path := archive100kIndexed(b)
	b.ResetTimer()
	for range b.N {
		a, err := Open(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		p, err := a.List(Query{Limit: 100})
		if err != nil || len(p.Messages) != 100 {
			b.Fatal(err)
		}
		a.Close()
	}
}

// BenchmarkSearch100k runs full-text searches on 100,000 messages:
// single words from rare to common, phrases, and from: with a word, each
// kind over several terms, and reports the median and worst latency of a
// first page of 100 (target: median under 50 ms, worst under 200 ms).
// headers-only is the search without the full-text index, for comparison.
func BenchmarkSearch100k(b *testing.B) {
	a, err := Open(archive100kIndexed(b), nil)
	if err != nil {
		b.Fatal(err)
	}
	kinds := []struct {
		name    string
		queries []string
	}{
		{"word", []string{"zebra", "invoice", "meeting", "hotel", "garden", "mister", "the", "people", "world", "flight"}},
		{"phrase", []string{`"quarterly report"`, `"flight hotel"`, `"family dinner"`, `"the people"`, `"project review draft"`}},
		{"from-and-word", []string{"from:günter invoice", "from:ada meeting", "from:example3.org budget", "from:tanaka holiday", "from:user5 report"}},
		{"date-and-account", []string{"after:2022-01-01 before:2022-06-01 account:work", "has:attachment", "subject:grüße train -ticket"}},
	}
	for _, k := range kinds {
		b.Run(k.name, func(b *testing.B) {
			var times []time.Duration
			matches := 0
			for range b.N {
				for _, q := range k.queries {
					start := time.Now()
					p, err := a.List(Query{Search: q, Limit: 100})
					times = append(times, time.Since(start))
					if err != nil {
						b.Fatal(err)
					}
					matches += p.Matches
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
			b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "ms-worst")
			b.ReportMetric(float64(matches)/float64(len(times)), "matches/query")
		})
	}
	// One process cannot hold the file twice: bbolt's lock is per open.
	a.Close()
	h, err := Open(archive100k(b), &Options{NoFullText: true})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	b.Run("headers-only", func(b *testing.B) {
		for range b.N {
			if _, err := h.List(Query{Search: "günter invoice", Limit: 100}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkReindex100k rebuilds the full-text index of 100,000 messages
// and reports the rate, the index's size against the archive's, and the
// peak memory of the process.
func BenchmarkReindex100k(b *testing.B) { benchReindex(b, 100_000) }

// BenchmarkReindex20k is the same over the first 20,000: a quicker
// figure.
func BenchmarkReindex20k(b *testing.B) { benchReindex(b, 20_000) }

func benchReindex(b *testing.B, n int) {
	path := archiveSmall(b, n)
	for range b.N {
		a, err := Open(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		debug.FreeOSMemory()
		base := resetPeakRSS()
		stop := make(chan struct{})
		anon := make(chan int64)
		go func() { // the largest own (not file-backed) memory seen
			peak := procStatus("RssAnon:")
			for {
				select {
				case <-stop:
					anon <- peak
					return
				case <-time.After(50 * time.Millisecond):
					peak = max(peak, procStatus("RssAnon:"))
				}
			}
		}()
		start, cpu := time.Now(), cpuTime()
		if err := a.SearchIndex().Rebuild(context.Background()); err != nil {
			b.Fatal(err)
		}
		elapsed, cpu := time.Since(start), cpuTime()-cpu
		close(stop)
		b.ReportMetric(float64(n)/elapsed.Seconds(), "msgs/s")
		b.ReportMetric(float64(cpu.Microseconds())/1000/float64(n), "cpu-ms/msg")
		b.ReportMetric(float64(peakRSS()-base)/1e6, "peakRSS-growth-MB")
		b.ReportMetric(float64(<-anon)/1e6, "peak-anon-MB")
		a.Close() // first: the index drops merged-away files on closing
		index := a.SearchIndex().Size()
		size, _ := a.Size()
		b.ReportMetric(float64(index)/1e6, "index-MB")
		b.ReportMetric(float64(index)/float64(size), "index/archive")
	}
}

// BenchmarkStore50MB stores one 50 MB message and reports the peak memory
// it needed: the growth of the process's peak RSS over the size (target:
// under 4), and the bytes the Go heap allocated over the size.
func BenchmarkStore50MB(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	m := mailgen.Generate(r, 0, 5000, 37<<20) // base64 makes 37 MB into 50 MB
	raw := m.Data
	for range b.N {
		a := openTemp(b)
		debug.FreeOSMemory() // so that new allocations show in RSS
		base := resetPeakRSS()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		if _, err := a.Store([]Incoming{{Account: "big", UID: "1", Raw: raw}}); err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(len(raw))/1e6, "MB")
		b.ReportMetric(float64(peakRSS()-base)/float64(len(raw)), "peakRSS/size")
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(len(raw)), "alloc/size")
		b.ReportMetric(float64(elapsed.Milliseconds()), "ms")
		a.Close()
	}
}

// resetPeakRSS resets the kernel's peak-RSS mark (Linux) and returns the
// current RSS, both in bytes.
func resetPeakRSS() int64 {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return procStatus("VmRSS:")
}

func peakRSS() int64 { return procStatus("VmHWM:") }

// cpuTime is the CPU time the process has used, user and system, read
// from /proc (in clock ticks of 10 ms); 0 where there is none.
func cpuTime() time.Duration {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// Fields after the command's closing parenthesis; utime and stime
	// are the 14th and 15th of the line.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
	var user, sys int64
	fmt.Sscan(f[11], &user)
	fmt.Sscan(f[12], &sys)
	return time.Duration(user+sys) * 10 * time.Millisecond
}

func procStatus(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if strings.HasPrefix(s.Text(), field) {
			var kb int64
			fmt.Sscanf(strings.TrimPrefix(s.Text(), field), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkVerify100k verifies an archive of 100,000 messages: bbolt's
// check and a re-hash of every message.
func BenchmarkVerify100k(b *testing.B) {
	a, err := Open(archive100k(b), &Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	for range b.N {
		r, err := a.Verify(nil)
		if err != nil || !r.OK() || r.Messages != 100_000 {
			b.Fatalf("%d messages, %v, %v", r.Messages, r.Problems, err)
		}
		b.ReportMetric(float64(r.Bytes)/1e6, "MB-rehashed")
	}
}

// BenchmarkOpenCount100k opens a 100,000-message archive and reads every
// account's totals, kept since its messages were stored; recount-ms is
// the one count an archive from before totals were kept takes.
func BenchmarkOpenCount100k(b *testing.B) {
	path := archive100k(b)
	b.ResetTimer()
	for range b.N {
		a, err := Open(path, &Options{NoFullText: true})
		if err != nil {
			b.Fatal(err)
		}
		c, err := a.Count()
		if err != nil || c[""].Total != 100000 {
			b.Fatal(c[""], err)
		}
		a.Close()
	}
	b.StopTimer()
	a, err := Open(path, &Options{NoFullText: true})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	a.db.Update(func(tx *bboltTx) error { return tx.DeleteBucket(bucketCounts) })
	start := time.Now()
	if c, err := a.Count(); err != nil || c[""].Total != 100000 {
		b.Fatal(c[""], err)
	}
	b.ReportMetric(float64(time.Since(start).Microseconds())/1000, "recount-ms")
}
