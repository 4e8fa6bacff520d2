package archive

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// damagedTemplate is a small archive holding something of every kind of
// record (messages of two accounts, their UIDs and settings, counts, a
// restore record, parents read), made once per test binary.
var damagedTemplate = sync.OnceValues(func() ([]byte, error) {
	dir, err := os.MkdirTemp("", "popvault-damaged-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "a.db")
	a, err := Open(path, &Options{NoFullText: true, NoSync: true})
	if err != nil {
		return nil, err
	}
	reply := []byte("From: Bob <bob@example.org>\r\nSubject: Re: one\r\nDate: Tue, 3 Jan 2023 10:00:00 +0000\r\n" +
		"Message-ID: <two@x>\r\nIn-Reply-To: <one@x>\r\nReferences: <one@x>\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\n%PDF\r\n--b--\r\n")
	_, err = a.Store([]Incoming{
		{Account: "home", UID: "u1", Raw: msg("one", "Mon, 2 Jan 2023 10:00:00 +0000", "first\r\n")},
		{Account: "home", UID: "u2", Raw: reply},
		{Account: "work", UID: "w1", Raw: msg("three", "Wed, 4 Jan 2023 10:00:00 +0000", "third\r\n")},
	})
	if err == nil {
		err = a.Account("home").PutSettings([]byte(`{"Host":"pop.example.org"}`))
	}
	if err == nil {
		err = a.Records("restores").Update("imap://x/INBOX", func(t *Target) error {
			if err := t.SetValue("uidvalidity", []byte{0, 0, 0, 7}); err != nil {
				return err
			}
			return t.Put(map[uint64][]byte{1: {'D', 0, 0, 0, 10}})
		})
	}
	if err == nil {
		_, err = a.Count()
	}
	if cerr := a.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	return os.ReadFile(path)
})

// pairs lists every key of every bucket, nested buckets' too, in order:
// the bucket's path and the key.
func pairs(tx *bbolt.Tx) (out [][][]byte) {
	var walk func(path [][]byte, b *bbolt.Bucket)
	walk = func(path [][]byte, b *bbolt.Bucket) {
		b.ForEach(func(k, v []byte) error {
			p := append(append([][]byte(nil), path...), k)
			out = append(out, p)
			if v == nil {
				walk(p, b.Bucket(k))
			}
			return nil
		})
	}
	tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
		walk([][]byte{name}, b)
		return nil
	})
	return out
}

// damage changes one record of the archive at path, as a damaged disk or
// a program of another version might: the input picks which record and
// whether its value is replaced, a key is added beside it, or it goes.
func damage(path string, which uint16, how uint8, key, value []byte) error {
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{NoSync: true})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bbolt.Tx) error {
		all := pairs(tx)
		p := all[int(which)%len(all)]
		b := tx.Bucket(p[0])
		for _, name := range p[1 : len(p)-1] {
			b = b.Bucket(name)
		}
		k := p[len(p)-1]
		switch how % 3 {
		case 0: // another value (a nested bucket stays a bucket)
			if b.Bucket(k) != nil {
				return nil
			}
			return b.Put(k, value)
		case 1: // a key of another shape beside it
			if len(key) == 0 {
				return nil
			}
			if b.Bucket(key) != nil {
				return nil
			}
			return b.Put(key, value)
		default: // gone
			if b.Bucket(k) != nil {
				return b.DeleteBucket(k)
			}
			return b.Delete(k)
		}
	})
}

// readEverything does all an archive's readers do; it must end, with
// errors or not, but never panic.
func readEverything(a *Archive) {
	a.Count()
	a.Accounts()
	for _, name := range []string{"home", "work", ""} {
		a.Account(name).UIDs()
		a.Account(name).Settings()
		a.List(Query{Account: name, Limit: 1000})
		a.List(Query{Account: name, Search: "one", Limit: 1000})
	}
	records := a.Records("restores")
	records.Targets()
	records.View("imap://x/INBOX", func(t *Target) error {
		t.Value("uidvalidity")
		t.Get(1)
		return t.Each(func(uint64, []byte) error { return nil })
	})
	a.BackfillParents(context.Background())
	p, _ := a.List(Query{Limit: 1000})
	ids := []uint64{0, 1, 2, 3, 4}
	for _, s := range p.Messages {
		ids = append(ids, s.ID)
	}
	for _, id := range ids {
		a.Summary(id)
		a.Raw(id)
		a.View(id)
		a.Attachment(id, 0)
		a.Attachment(id, 1)
	}
	a.Verify(nil)
	dir, err := os.MkdirTemp("", "popvault-damaged-export-")
	if err == nil {
		a.Export(FormatMbox, filepath.Join(dir, "out.mbox"), "")
		os.RemoveAll(dir)
	}
	// Writes on top of the damage: a fetch's next store, a delete.
	a.Store([]Incoming{{Account: "home", UID: "u9", Raw: msg("nine", "Thu, 5 Jan 2023 10:00:00 +0000", "9\r\n")}})
	a.Account("home").ForgetUIDs([]string{"u1"})
	a.SetRead(1, true)
	a.Delete(2)
	a.Account("work").Remove(DeleteMail)
	a.Count()
}

// A damaged archive gives errors, never a panic: each record in turn
// changed to another value, joined by a key of another shape, or removed,
// and then everything read (and some written) as popvault would.
func FuzzDamagedArchive(f *testing.F) {
	tmpl, err := damagedTemplate()
	if err != nil {
		f.Fatal(err)
	}
	for which := range uint16(64) {
		f.Add(which, uint8(0), []byte(nil), []byte{})
		f.Add(which, uint8(0), []byte(nil), []byte{9})
		f.Add(which, uint8(0), []byte(nil), bytes.Repeat([]byte{0xff}, 9))
		f.Add(which, uint8(1), []byte{1}, []byte{1})
		f.Add(which, uint8(2), []byte(nil), []byte(nil))
	}
	f.Fuzz(func(t *testing.T, which uint16, how uint8, key, value []byte) {
		path := filepath.Join(t.TempDir(), "a.db")
		if err := os.WriteFile(path, tmpl, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := damage(path, which, how, key, value); err != nil {
			if errors.Is(err, bolterrors.ErrKeyTooLarge) || errors.Is(err, bolterrors.ErrValueTooLarge) {
				return // damage bbolt itself would never write
			}
			t.Fatal(err)
		}
		a, err := Open(path, &Options{NoFullText: true, NoSync: true})
		if err != nil {
			return // a clear error is fine
		}
		defer a.Close()
		readEverything(a)
	})
}
