package main

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// windowsProgram cross-compiles a small Windows program for the GUI
// subsystem, as make package-windows builds popvault.exe.
func windowsProgram(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { println(\"hello\") }\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module hello\n\ngo 1.22\n"), 0o644)
	cmd := exec.Command("go", "build", "-ldflags", "-H=windowsgui", "-o", "hello.exe", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "hello.exe"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func subsystemOf(t *testing.T, image []byte) uint16 {
	t.Helper()
	f, err := pe.NewFile(bytes.NewReader(image))
	if err != nil {
		t.Fatal(err)
	}
	return f.OptionalHeader.(*pe.OptionalHeader64).Subsystem
}

// The console twin differs from the GUI program in its Subsystem field
// and its checksum only, and its checksum is its own.
func TestConsoleTwin(t *testing.T) {
	gui := windowsProgram(t)
	if got := subsystemOf(t, gui); got != subsystemGUI {
		t.Fatalf("the GUI program's subsystem is %d", got)
	}
	console, err := withSubsystem(gui, subsystemConsole)
	if err != nil {
		t.Fatal(err)
	}
	if got := subsystemOf(t, console); got != subsystemConsole {
		t.Fatalf("the twin's subsystem is %d", got)
	}
	peOff := int(binary.LittleEndian.Uint32(gui[0x3c:]))
	sum := peOff + 4 + 20 + 64
	// Sums by hand: 0x5a4d plus the length; 0xffff+0x0002 carries to
	// 0x0002, the field (bytes 4 to 7) left out, plus the length.
	if got := peChecksum(append([]byte("MZ"), make([]byte, 62)...), 0x30); got != 0x5a4d+64 {
		t.Fatalf("checksum of a known file: %#x", got)
	}
	if got := peChecksum([]byte{0xff, 0xff, 0x02, 0x00, 0x99, 0x99, 0x99, 0x99}, 4); got != 0x0002+8 {
		t.Fatalf("checksum with a carry: %#x", got)
	}
	if got := binary.LittleEndian.Uint32(console[sum:]); got != peChecksum(console, sum) {
		t.Fatalf("the twin's checksum %#x is not its own %#x", got, peChecksum(console, sum))
	}
	diff := 0
	for i := range gui {
		if gui[i] != console[i] {
			diff++
			if i < sum || i >= sum+6 {
				t.Errorf("byte %#x differs, outside the checksum and subsystem", i)
			}
		}
	}
	if diff == 0 {
		t.Fatal("no difference")
	}
	if _, err := withSubsystem(console, subsystemConsole); err == nil {
		t.Error("a console program taken for a GUI one")
	}
	if _, err := withSubsystem([]byte("\x7fELF not a PE at all, not at all, not at all, not at all..."), subsystemConsole); err == nil {
		t.Error("an ELF file taken for a Windows program")
	}
}

// The icon holds every size asked for, each a PNG of that size.
func TestIcon(t *testing.T) {
	src := image.NewNRGBA(image.Rect(0, 0, 512, 512))
	src.Set(10, 10, color.NRGBA{255, 0, 0, 255})
	sizes := []int{16, 48, 256}
	ico, err := icoFile(src, sizes)
	if err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint16(ico[2:]) != 1 || int(binary.LittleEndian.Uint16(ico[4:])) != len(sizes) {
		t.Fatalf("header % x", ico[:6])
	}
	for i, n := range sizes {
		e := ico[6+16*i:]
		size, off := binary.LittleEndian.Uint32(e[8:]), binary.LittleEndian.Uint32(e[12:])
		img, err := png.Decode(bytes.NewReader(ico[off : off+size]))
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if img.Bounds().Dx() != n || img.Bounds().Dy() != n || int(e[0]) != n%256 {
			t.Errorf("entry %d: %v, header says %d, want %d", i, img.Bounds(), e[0], n)
		}
	}
}

func TestVersionQuad(t *testing.T) {
	tests := []struct {
		version string
		build   int
		want    [4]uint16
		err     bool
	}{
		{"0.1.0+git412.2d9356e", 412, [4]uint16{0, 1, 0, 412}, false},
		{"1.2.3", 7, [4]uint16{1, 2, 3, 7}, false},
		{"2.0.1+3.gabc1234.dirty", 500, [4]uint16{2, 0, 1, 500}, false},
		{"dev", 1, [4]uint16{}, true},
		{"1.2.3", 70000, [4]uint16{}, true},
	}
	for _, tt := range tests {
		got, err := versionQuad(tt.version, tt.build)
		if (err != nil) != tt.err || (!tt.err && got != tt.want) {
			t.Errorf("versionQuad(%q, %d) = %v, %v", tt.version, tt.build, got, err)
		}
	}
}
