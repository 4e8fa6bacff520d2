// Package localefix keeps Fyne from printing "Error parsing user locale C"
// on every run under a C.UTF-8 locale, the default of Debian containers,
// servers and many cron and systemd environments: three lines of noise
// that cron would mail to the user after every fetch.
//
// Fyne reads the locale while its lang package initialises, before main
// runs. Go initialises packages in the order of their import paths where
// their imports allow (the language specification, since Go 1.21), so
// this one is a module of its own whose path sorts before fyne.io: its
// init runs first. For C.UTF-8 or POSIX.UTF-8, and only when LANGUAGE is
// unset, it sets LANGUAGE=en, which Fyne's locale lookup then reads, and
// which names the language C stands for anyway.
package localefix

import (
	"os"
	"strings"
)

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		base, _, hasCodeset := strings.Cut(v, ".")
		if hasCodeset && (base == "C" || base == "POSIX") {
			os.Setenv("LANGUAGE", "en")
		}
		return
	}
}
