package main

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"flag"
	"os"
	"strconv"
	"time"
)

func zipCmd(args []string) error {
	fs := flag.NewFlagSet("zip", flag.ContinueOnError)
	exe := fs.String("exe", "", "popvault.exe, built for the GUI subsystem")
	readme := fs.String("readme", "", "the README for the zip")
	out := fs.String("out", "", "the zip to write")
	if err := fs.Parse(args); err != nil {
		return err
	}
	gui, err := os.ReadFile(*exe)
	if err != nil {
		return err
	}
	console, err := withSubsystem(gui, subsystemConsole)
	if err != nil {
		return err
	}
	text, err := os.ReadFile(*readme)
	if err != nil {
		return err
	}
	date := time.Now()
	if sec, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64); err == nil {
		date = time.Unix(sec, 0)
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := zip.NewWriter(f)
	for _, file := range []struct {
		name string
		data []byte
	}{{"popvault/popvault.exe", gui}, {"popvault/popvault.com", console}, {"popvault/README.txt", text}} {
		zw, err := w.CreateHeader(&zip.FileHeader{Name: file.name, Method: zip.Deflate, Modified: date})
		if err == nil {
			_, err = zw.Write(file.data)
		}
		if err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// The PE optional header's Subsystem values (winnt.h).
const (
	subsystemGUI     = 2
	subsystemConsole = 3
)

// withSubsystem is a copy of a GUI-subsystem PE image with its Subsystem
// field set to sub and its checksum computed again; nothing else changes.
func withSubsystem(image []byte, sub uint16) ([]byte, error) {
	if len(image) < 0x40 || string(image[:2]) != "MZ" {
		return nil, errors.New("not a Windows program (no MZ header)")
	}
	pe := int(binary.LittleEndian.Uint32(image[0x3c:]))
	field := pe + 4 + 20 + 68 // signature, COFF header, offset in the optional header
	sum := field - 4          // CheckSum comes just before Subsystem
	if pe < 0 || field+2 > len(image) || string(image[pe:pe+4]) != "PE\x00\x00" {
		return nil, errors.New("not a Windows program (no PE header)")
	}
	if got := binary.LittleEndian.Uint16(image[field:]); got != subsystemGUI {
		return nil, errors.New("the program is not built for the GUI subsystem (-ldflags -H=windowsgui)")
	}
	out := append([]byte(nil), image...)
	binary.LittleEndian.PutUint16(out[field:], sub)
	binary.LittleEndian.PutUint32(out[sum:], peChecksum(out, sum))
	return out, nil
}

// peChecksum is the PE image checksum (as imagehlp's CheckSumMappedFile
// computes it, and Python's pefile): the image's 16-bit words summed with
// their carries folded back in, the checksum field itself left out, plus
// the image's length. Windows checks it for drivers only; Go's own
// programs carry none, and what mingw's linker writes for popvault.exe no
// longer matches once Go has finished the file, so the twin's is the one
// right checksum of the two.
func peChecksum(image []byte, field int) uint32 {
	var sum uint32
	add := func(w uint32) {
		sum += w
		sum = (sum & 0xffff) + (sum >> 16)
	}
	for i := 0; i+1 < len(image); i += 2 {
		if i != field && i != field+2 {
			add(uint32(binary.LittleEndian.Uint16(image[i:])))
		}
	}
	if len(image)%2 == 1 {
		add(uint32(image[len(image)-1]))
	}
	return sum + uint32(len(image))
}
