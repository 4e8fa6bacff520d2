package ui

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"popvault/archive"
	"popvault/credentials"
	"popvault/tools/procmem"
)

// png16 is a w×h PNG of 16-bit RGBA (8 bytes a pixel once decoded), all
// black: a few hundred KB that decode to w*h*8 bytes. It is written row by
// row, so making it holds no picture in memory.
func png16(w, h int) []byte {
	var out bytes.Buffer
	chunk := func(kind string, data []byte) {
		binary.Write(&out, binary.BigEndian, uint32(len(data)))
		out.WriteString(kind)
		out.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(kind))
		crc.Write(data)
		binary.Write(&out, binary.BigEndian, crc.Sum32())
	}
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 16, 6 // bit depth, colour type RGBA
	chunk("IHDR", ihdr)
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+w*8) // filter type 0, then the pixels
	for range h {
		z.Write(row)
	}
	z.Close()
	chunk("IDAT", idat.Bytes())
	chunk("IEND", nil)
	return out.Bytes()
}

var bigPNG16 = sync.OnceValue(func() []byte { return png16(4096, 4096) })

// picturesMail is a message with n attached copies of pic, a PNG.
func picturesMail(n int, pic []byte) []byte {
	var b strings.Builder
	b.WriteString("From: a@example.org\r\nSubject: pictures\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n")
	b.WriteString("--b\r\nContent-Type: text/plain\r\n\r\nSee the pictures.\r\n")
	var enc strings.Builder
	for s := base64.StdEncoding.EncodeToString(pic); s != ""; {
		line := s[:min(76, len(s))]
		enc.WriteString(line + "\r\n")
		s = s[len(line):]
	}
	for i := range n {
		fmt.Fprintf(&b, "--b\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"p%d.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", i)
		b.WriteString(enc.String())
	}
	b.WriteString("--b--\r\n")
	return []byte(b.String())
}

// childEnv names what a test binary started by a benchmark does instead
// of running tests (see TestMain).
const childEnv = "POPVAULT_UI_CHILD"

// runChild is the work of a test binary started by a benchmark: "open N"
// opens a message with N attached 4096×4096 16-bit PNGs in a window,
// and exits once the reader shows it and its pictures.
func runChild(what string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(what, "open "))
	if err != nil {
		fmt.Fprintln(os.Stderr, "unknown child:", what)
		return 2
	}
	dir, err := os.MkdirTemp("", "popvault-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	a := test.NewApp()
	var u *UI
	ui(func() {
		w := a.NewWindow("bench")
		if u, err = New(a, w, Options{ArchivePath: filepath.Join(dir, "a.db"), Secrets: &credentials.MemorySecrets{}}); err == nil {
			w.SetContent(u.Content())
			w.Resize(fyne.NewSize(1100, 700))
		}
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer u.Close()
	st, err := u.arch.Store([]archive.Incoming{{Account: "a", UID: "1", Raw: picturesMail(n, bigPNG16())}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ui(func() { u.reader.open(st[0].ID, false) })
	for shown := false; !shown; {
		ui(func() { shown = u.reader.view != nil })
		if !shown {
			time.Sleep(10 * time.Millisecond) // polled, as eventually does
		}
	}
	return 0
}

// BenchmarkOpenPictures reports the peak memory of a process that opens
// a message with 20 attached 4096×4096 16-bit PNGs (131 KB each,
// 128 MiB each decoded), and of one that opens the same message without
// them, to see what the pictures cost. The process is this test binary
// again (runChild); its peak is read from /proc (tools/procmem).
func BenchmarkOpenPictures(b *testing.B) {
	for _, n := range []int{0, 20} {
		b.Run(fmt.Sprintf("pictures=%d", n), func(b *testing.B) {
			var peak procmem.Peak
			for range b.N {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), childEnv+"=open "+strconv.Itoa(n))
				p, err := procmem.Run(cmd)
				if err != nil {
					b.Fatal(err)
				}
				peak = procmem.Peak{All: max(peak.All, p.All), Anon: max(peak.Anon, p.Anon)}
			}
			b.ReportMetric(float64(peak.All)/1024, "MiB-peak")
			b.ReportMetric(float64(peak.Anon)/1024, "MiB-peak-anon")
		})
	}
}
