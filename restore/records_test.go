package restore

import (
	"compress/gzip"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"popvault/archive"
)

// A restore's record: pending and done marks survive reopening; another
// UIDVALIDITY (the mailbox recreated) empties it and says so.
func TestRestoreRecord(t *testing.T) {
	a := newArchive(t)
	const target = "alice@imap.example:993/INBOX"
	rec, restarted, err := ledgerOf(a, target).start(7)
	if err != nil || restarted || len(rec.Done)+len(rec.Pending) != 0 {
		t.Fatalf("a new target: %+v %v %v", rec, restarted, err)
	}
	if err := ledgerOf(a, target).mark(statePending, map[uint64]uint32{1: 0, 2: 0, 3: 0}); err != nil {
		t.Fatal(err)
	}
	if err := ledgerOf(a, target).mark(stateDone, map[uint64]uint32{1: 41}); err != nil {
		t.Fatal(err)
	}
	if err := ledgerOf(a, target).forget([]uint64{3}); err != nil {
		t.Fatal(err)
	}
	path := a.Path()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	a, err = archive.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rec, restarted, err = ledgerOf(a, target).start(7)
	if err != nil || restarted || rec.Done[1] != 41 || len(rec.Done) != 1 || len(rec.Pending) != 1 || rec.Pending[0] != 2 {
		t.Fatalf("after reopening: %+v %v %v", rec, restarted, err)
	}
	rec, restarted, err = ledgerOf(a, target).start(8)
	if err != nil || !restarted || len(rec.Done)+len(rec.Pending) != 0 {
		t.Fatalf("a recreated mailbox: %+v %v %v", rec, restarted, err)
	}
}

// An archive whose restore records were written before the archive's
// records became a general service (testdata/restores-v1.archive.gz,
// written by archive/restore.go as of commit d6f8bb6: StartRestore, then
// MarkRestore) reads as it did: messages 1 and 2 done in INBOX (2 without
// a UID), 3 pending there, and 3 done in Archive/2025.
func TestRestoreRecordsOfFirstVersion(t *testing.T) {
	a := openFixture(t, "testdata/restores-v1.archive.gz")
	const inbox = "imap://bob@imap.example:993/INBOX"
	const other = "imap://bob@imap.example:993/Archive/2025"
	targets, err := a.Records(recordsService).Targets()
	if err != nil || !slices.Equal(targets, []string{other, inbox}) {
		t.Fatalf("targets %q, %v", targets, err)
	}
	for _, tt := range []struct {
		target      string
		uidValidity uint32
		done        map[uint64]uint32
		pending     []uint64
	}{
		{inbox, 1700000001, map[uint64]uint32{1: 41, 2: 0}, []uint64{3}},
		{other, 7, map[uint64]uint32{3: 9}, nil},
	} {
		rec, restarted, err := ledgerOf(a, tt.target).start(tt.uidValidity)
		if err != nil || restarted {
			t.Fatalf("%s: restarted %v, %v", tt.target, restarted, err)
		}
		if !maps.Equal(rec.Done, tt.done) || !slices.Equal(rec.Pending, tt.pending) {
			t.Errorf("%s: done %v pending %v, want done %v pending %v", tt.target, rec.Done, rec.Pending, tt.done, tt.pending)
		}
	}
}

// openFixture opens a copy of a gzipped archive file.
func openFixture(t *testing.T, name string) *archive.Archive {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "archive.db")
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, zr); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
	a, err := archive.Open(path, &archive.Options{NoFullText: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// BenchmarkMarkRestore records 100,000 messages of a target as done in
// one commit, as a restore does when it finds, in one listing of the
// mailbox, the UIDs of messages recorded without one.
func BenchmarkMarkRestore(b *testing.B) {
	const n = 100_000
	l := ledgerOf(newArchive(b), "imap://bob@imap.example:993/INBOX")
	if _, _, err := l.start(7); err != nil {
		b.Fatal(err)
	}
	uids := make(map[uint64]uint32, n)
	for i := range n {
		uids[uint64(i+1)] = uint32(i + 1)
	}
	for b.Loop() {
		if err := l.mark(stateDone, uids); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForgetRestore drops 100,000 marks of a target in one commit,
// given in no order.
func BenchmarkForgetRestore(b *testing.B) {
	const n = 100_000
	l := ledgerOf(newArchive(b), "imap://bob@imap.example:993/INBOX")
	if _, _, err := l.start(7); err != nil {
		b.Fatal(err)
	}
	uids := make(map[uint64]uint32, n)
	for i := range n {
		uids[uint64(i+1)] = uint32(i + 1)
	}
	ids := make([]uint64, 0, n)
	for id := range uids { // a map's order: none
		ids = append(ids, id)
	}
	for b.Loop() {
		b.StopTimer()
		if err := l.mark(stateDone, uids); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := l.forget(ids); err != nil {
			b.Fatal(err)
		}
	}
}
