package archive

import (
	"runtime"
	"strings"
)

// maildirInfoSep separates a Maildir file's unique name from its flags
// ("...:2,S"). Windows forbids ':' in file names (on NTFS it opens a data
// stream), so there the separator is ';', as mbsync writes it on Windows.
func maildirInfoSep() string {
	if runtime.GOOS == "windows" {
		return ";"
	}
	return ":"
}

// maildirSeen reports whether a Maildir file name carries the Seen flag,
// whichever separator the program that wrote it used: ':' (the
// specification), ';' (mbsync and others on Windows) or '!' (some Windows
// ports of Maildir tools).
func maildirSeen(name string) bool {
	i := max(strings.LastIndex(name, ":2,"), strings.LastIndex(name, ";2,"), strings.LastIndex(name, "!2,"))
	return i >= 0 && strings.Contains(name[i+3:], "S")
}
