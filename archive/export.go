package archive

import (
	"bufio"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"

	"go.etcd.io/bbolt"
)

// Formats for Export and Import.
const (
	FormatMbox    = "mbox"    // one mboxrd file
	FormatMaildir = "maildir" // a Maildir folder (cur/new/tmp)
	FormatEML     = "eml"     // a folder of .eml files, one per message
)

// Export writes the archive, or one account's messages when account is not
// empty, to out in format. Exported bytes are the stored bytes (in mbox,
// with mboxrd quoting). It returns how many messages it wrote.
func (a *Archive) Export(format, out, account string) (int, error) {
	ids, err := a.ids(account)
	if err != nil {
		return 0, err
	}
	var sink func(s *Summary, raw []byte) error
	var done func() error
	switch format {
	case FormatMbox:
		sink, done, err = mboxSink(out)
	case FormatMaildir:
		sink, done, err = maildirSink(out)
	case FormatEML:
		sink, done, err = emlSink(out)
	default:
		return 0, fmt.Errorf("archive: unknown format %q (mbox, maildir or eml)", format)
	}
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		if i%1000 == 999 {
			a.trim() // give back the pages read so far (the window exports in-process)
		}
		s, err := a.Summary(id)
		if err == nil {
			var raw []byte
			if raw, err = a.Raw(id); err == nil {
				err = sink(s, raw)
			}
		}
		if err != nil {
			done()
			return i, wrapErr("export", err)
		}
	}
	if err := done(); err != nil {
		return len(ids), wrapErr("export", err)
	}
	return len(ids), nil
}

// ids lists message ids in arrival order, optionally one account's.
func (a *Archive) ids(account string) ([]uint64, error) {
	var ids []uint64
	err := a.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketIndex).ForEach(func(k, v []byte) error {
			id, err := idOf(k)
			if err != nil {
				return err
			}
			if account != "" {
				s, err := decodeSummary(id, v)
				if err != nil || !s.InAccount(account) {
					return err
				}
			}
			ids = append(ids, id)
			return nil
		})
	})
	if err != nil {
		return nil, wrapErr("", err)
	}
	return ids, nil
}

func mboxSink(out string) (func(*Summary, []byte) error, func() error, error) {
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, nil, wrapErr("export", err)
	}
	w := bufio.NewWriterSize(f, 256<<10)
	sink := func(s *Summary, raw []byte) error { return writeMbox(w, envelopeSender(s.From), s.Date, raw) }
	done := func() error {
		err := w.Flush()
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return err
	}
	return sink, done, nil
}

// envelopeSender is the address for an mbox "From " line.
func envelopeSender(from string) string {
	if a, err := mail.ParseAddress(from); err == nil && !strings.ContainsAny(a.Address, " \t") {
		return a.Address
	}
	return ""
}

func maildirSink(out string) (func(*Summary, []byte) error, func() error, error) {
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(out, sub), 0o700); err != nil {
			return nil, nil, wrapErr("export", err)
		}
	}
	host, _ := os.Hostname()
	host = strings.NewReplacer("/", "\\057", ":", "\\072").Replace(host)
	sink := func(s *Summary, raw []byte) error {
		flags := ""
		if s.Read {
			flags = "S"
		}
		name := fmt.Sprintf("%d.P%dQ%d.%s,S=%d%s2,%s", s.Arrived.Unix(), os.Getpid(), s.ID, host, len(raw), maildirInfoSep(), flags)
		return writeNew(filepath.Join(out, "tmp", name), filepath.Join(out, "cur", name), raw)
	}
	return sink, func() error { return nil }, nil
}

func emlSink(out string) (func(*Summary, []byte) error, func() error, error) {
	if err := os.MkdirAll(out, 0o700); err != nil {
		return nil, nil, wrapErr("export", err)
	}
	sink := func(s *Summary, raw []byte) error {
		name := filepath.Join(out, fmt.Sprintf("%08d.eml", s.ID))
		if err := writeNew(name+".tmp", name, raw); err != nil {
			return err
		}
		// The file's time is the message's arrival, which Import reads
		// back, as a Maildir file's.
		return os.Chtimes(name, s.Arrived, s.Arrived)
	}
	return sink, func() error { return nil }, nil
}

// writeNew writes data to tmp, syncs it and renames it to name, so a
// reader never sees half a message.
func writeNew(tmp, name string, data []byte) error {
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, name)
}
