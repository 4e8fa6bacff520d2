// Command winpack makes what popvault's Windows release needs beyond
// go build, on any system (make package-windows runs it on Linux):
//
//	winpack resources -icon PNG -version V -build N -out DIR
//	winpack zip -exe popvault.exe -readme README.txt -out popvault-windows-amd64.zip
//
// resources writes popvault.ico, popvault.manifest and popvault.rc into
// DIR, for the mingw toolchain's windres to compile into a .syso that go
// build links in: the icon Explorer shows, the version in the file's
// Properties, and the manifest (per-monitor DPI, long paths, UTF-8 as the
// code page, no elevation). zip writes the release: popvault.exe, its
// console twin popvault.com (see cmd/popvault/console_windows.go) and the
// README, dated by SOURCE_DATE_EPOCH when it is set.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: winpack resources|zip [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "resources":
		err = resourcesCmd(os.Args[2:])
	case "zip":
		err = zipCmd(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "winpack:", err)
		os.Exit(1)
	}
}
