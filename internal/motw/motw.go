// Package motw marks files that came from the Internet the way each
// system expects, so that the programs that open them take care: on
// Windows the "Mark of the Web" (a Zone.Identifier stream naming the
// Internet zone), which SmartScreen and Office's Protected View honour;
// on macOS the com.apple.quarantine attribute, which Gatekeeper honours.
// Linux desktops have no such mark: there Mark does nothing.
//
// popvault marks every file it writes out of the archive for a person to
// open: an attachment opened or saved, a message saved as .eml, a
// message's page opened in the browser. Mail is from the Internet.
package motw

import (
	"fmt"
	"io"
)

// Mark marks the file at path as come from the Internet. The file must
// exist. The mark is the system's own (see the package doc); where the
// system has none, Mark does nothing and returns nil.
func Mark(path string) error {
	if err := mark(path); err != nil {
		return fmt.Errorf("motw: %w", err)
	}
	return nil
}

// zoneIdentifier is what Windows' Zone.Identifier stream holds for a file
// from the Internet zone (zone 3), as browsers write it.
const zoneIdentifier = "[ZoneTransfer]\r\nZoneId=3\r\n"

// zoneStream is the name of path's Zone.Identifier stream: an NTFS
// alternate data stream, named after the file and a colon.
func zoneStream(path string) string { return path + ":Zone.Identifier" }

// writeZone writes path's Zone.Identifier stream through create, which
// makes (or empties) a file for writing: on Windows, os.Create. It is
// apart from the Windows build so that any system can test what is
// written where.
func writeZone(path string, create func(name string) (io.WriteCloser, error)) error {
	w, err := create(zoneStream(path))
	if err != nil {
		return err
	}
	_, err = io.WriteString(w, zoneIdentifier)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}
