package archive

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// ImportReport says what an import did.
type ImportReport struct {
	Read       int      // messages found
	Added      int      // new to the archive
	Duplicates int      // already stored (same bytes); only the account's claim was added
	TooBig     []string // messages over the size limit, not imported: where each is
}

// ErrTooBig: messages over the size limit were left out of an import (the
// error names them); the rest was imported.
var ErrTooBig = errors.New("archive: over the size limit")

// importBatch bounds one transaction of an import.
const (
	importBatchCount = 500
	importBatchBytes = 64 << 20
)

// Import reads a Maildir folder, an mbox file, or an .eml file or a
// folder of them into the archive under account (default "imported").
// Messages already stored are not stored
// again, so importing twice adds nothing. Read flags of Maildir messages
// (":2,S", or ";2,S" and "!2,S" as written on Windows) are kept.
func (a *Archive) Import(format, path, account string) (ImportReport, error) {
	if account == "" {
		account = "imported"
	}
	imp := importer{a: a, account: account}
	max := a.maxMessage
	var err error
	switch format {
	case FormatMbox:
		var f *os.File
		if f, err = os.Open(path); err == nil {
			err = readMbox(f, max, func(raw []byte) error { return imp.add(raw, time.Time{}, false) },
				func(n int, offset int64) error {
					imp.report.Read++
					imp.report.TooBig = append(imp.report.TooBig, fmt.Sprintf("message %d (its \"From \" line at byte %d)", n, offset))
					return nil
				})
			f.Close()
		}
	case FormatMaildir:
		err = imp.maildir(path)
	case FormatEML:
		err = imp.eml(path)
	default:
		err = fmt.Errorf("unknown format %q (mbox, maildir or eml)", format)
	}
	if err == nil {
		err = imp.flush()
	}
	if err != nil {
		return imp.report, wrapErr("import", err)
	}
	if n := len(imp.report.TooBig); n > 0 {
		return imp.report, fmt.Errorf("%w: %d over %d MiB, not imported: %s", ErrTooBig, n, max>>20, strings.Join(imp.report.TooBig, ", "))
	}
	return imp.report, nil
}

type importer struct {
	a       *Archive
	account string
	batch   []Incoming
	read    []bool
	size    int
	report  ImportReport
}

func (imp *importer) add(raw []byte, arrived time.Time, read bool) error {
	imp.report.Read++
	imp.batch = append(imp.batch, Incoming{Account: imp.account, Raw: raw, Arrived: arrived})
	imp.read = append(imp.read, read)
	imp.size += len(raw)
	if len(imp.batch) >= importBatchCount || imp.size >= importBatchBytes {
		return imp.flush()
	}
	return nil
}

func (imp *importer) flush() error {
	if len(imp.batch) == 0 {
		return nil
	}
	stored, err := imp.a.Store(imp.batch)
	if err != nil {
		return err
	}
	var read []uint64
	for i, st := range stored {
		if st.Duplicate {
			imp.report.Duplicates++
			continue
		}
		imp.report.Added++
		if imp.read[i] {
			read = append(read, st.ID)
		}
	}
	// One commit for the batch's read marks, not an fsync each.
	if err := imp.a.setRead(read, true); err != nil {
		return err
	}
	imp.batch, imp.read, imp.size = imp.batch[:0], imp.read[:0], 0
	return nil
}

// maildir imports cur/ and new/ in file-name order (delivery time first).
func (imp *importer) maildir(dir string) error {
	var names []string
	for _, sub := range []string{"cur", "new"} {
		entries, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			return fmt.Errorf("not a Maildir: %w", err)
		}
		for _, e := range entries {
			if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
				names = append(names, filepath.Join(sub, e.Name()))
			}
		}
	}
	sort.Slice(names, func(i, j int) bool { return filepath.Base(names[i]) < filepath.Base(names[j]) })
	for _, name := range names {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if fi.Size() > imp.a.maxMessage {
			imp.report.Read++
			imp.report.TooBig = append(imp.report.TooBig, filepath.Join(dir, name))
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		arrived := fi.ModTime()
		if err := imp.add(raw, arrived, maildirSeen(filepath.Base(name))); err != nil {
			return err
		}
	}
	return nil
}
