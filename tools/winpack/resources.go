package main

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"golang.org/x/image/draw"
)

func resourcesCmd(args []string) error {
	fs := flag.NewFlagSet("resources", flag.ContinueOnError)
	icon := fs.String("icon", "", "the icon, a square PNG")
	version := fs.String("version", "", "the release's version, as git describe gave it")
	build := fs.Int("build", 0, "the build number (commits so far)")
	out := fs.String("out", "", "folder to write into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	quad, err := versionQuad(*version, *build)
	if err != nil {
		return err
	}
	f, err := os.Open(*icon)
	if err != nil {
		return err
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", *icon, err)
	}
	ico, err := icoFile(img, []int{16, 20, 24, 32, 40, 48, 64, 256})
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"popvault.ico":      ico,
		"popvault.manifest": []byte(manifest(quad)),
		"popvault.rc":       []byte(resourceScript(quad, *version)),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(*out, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

var leadingVersion = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)`)

// versionQuad is Windows' four-part version: major, minor and patch of
// the release's version, and the build number.
func versionQuad(version string, build int) ([4]uint16, error) {
	m := leadingVersion.FindStringSubmatch(version)
	if m == nil {
		return [4]uint16{}, fmt.Errorf("version %q does not begin with x.y.z", version)
	}
	var q [4]uint16
	for i, s := range append(m[1:], strconv.Itoa(build)) {
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return q, fmt.Errorf("version %q, build %d: each part must fit in 16 bits", version, build)
		}
		q[i] = uint16(n)
	}
	return q, nil
}

func dotted(q [4]uint16) string { return fmt.Sprintf("%d.%d.%d.%d", q[0], q[1], q[2], q[3]) }

// icoFile is an .ico holding img at each size, each entry a PNG (which
// every Windows since Vista reads, and which keeps 256 px small).
func icoFile(img image.Image, sizes []int) ([]byte, error) {
	var entries [][]byte
	for _, n := range sizes {
		dst := image.NewNRGBA(image.Rect(0, 0, n, n))
		draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Src, nil)
		var b bytes.Buffer
		if err := png.Encode(&b, dst); err != nil {
			return nil, err
		}
		entries = append(entries, b.Bytes())
	}
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, [3]uint16{0, 1, uint16(len(sizes))}) // ICONDIR: reserved, type icon, count
	offset := 6 + 16*len(sizes)
	for i, n := range sizes {
		side := uint8(n)
		if n >= 256 {
			side = 0 // 0 means 256
		}
		binary.Write(&b, binary.LittleEndian, struct {
			W, H, Colors, Reserved uint8
			Planes, BitCount       uint16
			Size, Offset           uint32
		}{side, side, 0, 0, 1, 32, uint32(len(entries[i])), uint32(offset)})
		offset += len(entries[i])
	}
	for _, e := range entries {
		b.Write(e)
	}
	return b.Bytes(), nil
}

func manifest(q [4]uint16) string {
	return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0">
  <assemblyIdentity type="win32" name="io.popvault.app" version="` + dotted(q) + `" processorArchitecture="amd64"/>
  <description>popvault</description>
  <trustInfo xmlns="urn:schemas-microsoft-com:asm.v3">
    <security>
      <requestedPrivileges>
        <requestedExecutionLevel level="asInvoker" uiAccess="false"/>
      </requestedPrivileges>
    </security>
  </trustInfo>
  <compatibility xmlns="urn:schemas-microsoft-com:compatibility.v1">
    <application>
      <supportedOS Id="{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"/>
    </application>
  </compatibility>
  <application xmlns="urn:schemas-microsoft-com:asm.v3">
    <windowsSettings>
      <dpiAware xmlns="http://schemas.microsoft.com/SMI/2005/WindowsSettings">true/pm</dpiAware>
      <dpiAwareness xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">permonitorv2,permonitor</dpiAwareness>
      <longPathAware xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">true</longPathAware>
      <activeCodePage xmlns="http://schemas.microsoft.com/SMI/2019/WindowsSettings">UTF-8</activeCodePage>
    </windowsSettings>
  </application>
</assembly>
`
}

// resourceScript is the .rc: numbers where winver.h would name them, so
// that windres needs no headers.
func resourceScript(q [4]uint16, version string) string {
	comma := strings.ReplaceAll(dotted(q), ".", ",")
	str := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	return `1 ICON "popvault.ico"
1 24 "popvault.manifest"
1 VERSIONINFO
FILEVERSION ` + comma + `
PRODUCTVERSION ` + comma + `
FILEFLAGSMASK 0x3f
FILEFLAGS 0x0
FILEOS 0x40004
FILETYPE 0x1
FILESUBTYPE 0x0
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "popvault"
      VALUE "FileDescription", "popvault: POP3 mail in a local archive"
      VALUE "FileVersion", ` + str(version) + `
      VALUE "InternalName", "popvault"
      VALUE "OriginalFilename", "popvault.exe"
      VALUE "ProductName", "popvault"
      VALUE "ProductVersion", ` + str(version) + `
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
`
}
