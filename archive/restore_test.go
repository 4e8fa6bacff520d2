package archive

import "testing"

// BenchmarkMarkRestore records 100,000 messages of a target as done in
// one commit, as a restore does when it finds, in one listing of the
// mailbox, the UIDs of messages recorded without one.
func BenchmarkMarkRestore(b *testing.B) {
	const n = 100_000
	a := openTemp(b)
	const target = "imap://bob@imap.example:993/INBOX"
	if _, _, err := a.StartRestore(target, 7); err != nil {
		b.Fatal(err)
	}
	uids := make(map[uint64]uint32, n)
	for i := range n {
		uids[uint64(i+1)] = uint32(i + 1)
	}
	for b.Loop() {
		if err := a.MarkRestore(target, RestoreDone, uids); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkForgetRestore drops 100,000 marks of a target in one commit,
// given in no order.
func BenchmarkForgetRestore(b *testing.B) {
	const n = 100_000
	a := openTemp(b)
	const target = "imap://bob@imap.example:993/INBOX"
	if _, _, err := a.StartRestore(target, 7); err != nil {
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
		if err := a.MarkRestore(target, RestoreDone, uids); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := a.ForgetRestore(target, ids); err != nil {
			b.Fatal(err)
		}
	}
}
