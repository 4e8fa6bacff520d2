package archive

import (
	"runtime"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// zstd from klauspost/compress: pure Go (no second cgo dependency beside
// Fyne), several times faster than gzip at a better ratio, and its
// EncodeAll/DecodeAll are safe for concurrent use with one shared coder.
// SpeedBetterCompression, because at SpeedDefault base64 attachments (most
// of a mailbox's bytes) barely shrink (the archive benchmark's size ratio
// shows the difference). The encoder's concurrency is how many EncodeAll
// calls run at once (each takes one of that many encoders, a few MB of
// tables each, and waits for one otherwise): one per core, or compressing,
// the largest part of storing, would run on one core however many wait.
var (
	encoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBetterCompression), zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)))
	unzstd, _  = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(1<<32))
)

// compress allocates the worst case once: letting the output grow by
// doubling cost four times a large message's size in garbage.
func compress(raw []byte) []byte {
	return encoder.EncodeAll(raw, make([]byte, 0, encoder.MaxEncodedSize(len(raw))))
}

func decompress(comp []byte) ([]byte, error) {
	raw, err := unzstd.DecodeAll(comp, nil)
	if err != nil {
		return nil, wrapErr("decompress", err)
	}
	return raw, nil
}

// parallel runs f(0..n-1) on all cores.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
