package archive

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// ErrNotMail: a file given to import is not an e-mail message, or a
// folder holds none.
var ErrNotMail = errors.New("archive: not e-mail")

// emlExt is the name ending of one message in a file, as Export writes
// them and as mail programs save them.
const emlExt = ".eml"

// eml imports one .eml file, or every .eml file under a folder (its
// subfolders too), in path order. A file named on its own is taken
// whatever its name, if it begins as a message does.
func (imp *importer) eml(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return imp.emlFile(path, fi, checkHeaders)
	}
	var names []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.EqualFold(filepath.Ext(p), emlExt) && !strings.HasPrefix(d.Name(), ".") {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return fmt.Errorf("%w: no .eml files in %s", ErrNotMail, path)
	}
	sort.Strings(names)
	for _, name := range names {
		fi, err := os.Stat(name)
		if err != nil {
			return err
		}
		// Inside a folder the name says what a file is: one that does
		// not look like mail is still stored as it is, as a Maildir's is.
		if err := imp.emlFile(name, fi, trustName); err != nil {
			return err
		}
	}
	return nil
}

// emlCheck says whether an .eml file's first bytes are checked.
type emlCheck int

const (
	checkHeaders emlCheck = iota // a file named alone must begin with a header
	trustName                    // a folder's *.eml files are taken as they are
)

// emlFile imports one file; its modification time is the message's
// arrival, as Export leaves it.
func (imp *importer) emlFile(name string, fi os.FileInfo, check emlCheck) error {
	if fi.Size() > imp.a.maxMessage {
		imp.report.Read++
		imp.report.TooBig = append(imp.report.TooBig, name)
		return nil
	}
	raw, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	if check == checkHeaders && !looksLikeMail(raw) {
		return fmt.Errorf("%w: %s does not begin with mail headers (From:, Subject:, …)", ErrNotMail, name)
	}
	return imp.add(raw, fi.ModTime(), false)
}

// looksLikeMail reports whether raw begins with a header field (RFC
// 5322's printable name, then a colon) or an mbox "From " line.
func looksLikeMail(raw []byte) bool {
	line, _, _ := bytes.Cut(raw, []byte("\n"))
	if bytes.HasPrefix(line, []byte("From ")) {
		return true
	}
	name, _, ok := bytes.Cut(line, []byte(":"))
	if !ok || len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// DetectFormat says which format a path to import is in: a folder with
// cur and new is a Maildir, another folder holds .eml files, a file
// named *.eml or beginning with a header is one message, and a file
// beginning with "From " is an mbox.
func DetectFormat(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", wrapErr("import", err)
	}
	if fi.IsDir() {
		cur, cerr := os.Stat(filepath.Join(path, "cur"))
		nw, nerr := os.Stat(filepath.Join(path, "new"))
		if cerr == nil && nerr == nil && cur.IsDir() && nw.IsDir() {
			return FormatMaildir, nil
		}
		return FormatEML, nil
	}
	if strings.EqualFold(filepath.Ext(path), emlExt) {
		return FormatEML, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", wrapErr("import", err)
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, _ := f.Read(head)
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte("From ")):
		return FormatMbox, nil
	case looksLikeMail(head):
		return FormatEML, nil
	}
	return "", fmt.Errorf("%w: %s is neither an mbox, a Maildir nor an .eml message", ErrNotMail, path)
}
