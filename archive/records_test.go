package archive

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A service's records: a target's named values and values by message
// survive reopening; Each lists them in id order; Delete and Clear drop
// them; each service and each target keeps its own.
func TestRecords(t *testing.T) {
	a := openTemp(t)
	const inbox, sent = "bob@imap.example/INBOX", "bob@imap.example/Sent"
	recs := a.Records("deliveries")
	err := recs.Update(inbox, func(t *Target) error {
		if err := t.SetValue("uidvalidity", []byte{0, 0, 0, 7}); err != nil {
			return err
		}
		return t.Put(map[uint64][]byte{3: []byte("c"), 1: []byte("a"), 2: []byte("b"), 4: []byte("d")})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := recs.Update(sent, func(t *Target) error { return t.Put(map[uint64][]byte{1: []byte("x")}) }); err != nil {
		t.Fatal(err)
	}
	if err := recs.Update(inbox, func(t *Target) error { return t.Delete(4, 2) }); err != nil {
		t.Fatal(err)
	}
	a = reopen(t, a)
	recs = a.Records("deliveries")

	targets, err := recs.Targets()
	if err != nil || !slices.Equal(targets, []string{inbox, sent}) {
		t.Fatalf("Targets: %q, %v", targets, err)
	}
	if got := read(t, recs, inbox); got != "uidvalidity=\x00\x00\x00\x07 1=a 3=c" {
		t.Errorf("%s: %q", inbox, got)
	}
	if got := read(t, recs, sent); got != "1=x" {
		t.Errorf("%s: %q", sent, got)
	}
	if other, err := a.Records("restores").Targets(); err != nil || len(other) != 0 {
		t.Errorf("another service sees %q, %v", other, err)
	}

	// Clear between puts in one Update: what was put after it stays.
	err = recs.Update(inbox, func(t *Target) error {
		if err := t.Put(map[uint64][]byte{5: []byte("e")}); err != nil {
			return err
		}
		if err := t.Clear(); err != nil {
			return err
		}
		return t.Put(map[uint64][]byte{6: []byte("f")})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, recs, inbox); got != "uidvalidity=\x00\x00\x00\x07 6=f" {
		t.Errorf("after Clear, %s: %q", inbox, got)
	}
	if err := recs.Remove(sent); err != nil {
		t.Fatal(err)
	}
	if err := recs.View(sent, func(*Target) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Errorf("View of a removed target: %v, want ErrNotFound", err)
	}
	if err := recs.Remove(sent); err != nil {
		t.Errorf("removing it again: %v", err)
	}
}

// An Update whose function fails keeps nothing of what it did.
func TestRecordsUpdateAllOrNothing(t *testing.T) {
	a := openTemp(t)
	recs := a.Records("restores")
	const target = "bob@imap.example/INBOX"
	if err := recs.Update(target, func(t *Target) error { return t.Put(map[uint64][]byte{1: []byte("kept")}) }); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	err := recs.Update(target, func(t *Target) error {
		if err := t.Put(map[uint64][]byte{2: []byte("lost")}); err != nil {
			return err
		}
		if err := t.Delete(1); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("Update: %v, want the function's error", err)
	}
	if got := read(t, recs, target); got != "1=kept" {
		t.Errorf("after a failed Update: %q", got)
	}
}

// read lists a target's records as "name=value id=value …": its named
// values (only "uidvalidity" here) and then each message's.
func read(t *testing.T, recs Records, target string) string {
	t.Helper()
	var parts []string
	err := recs.View(target, func(tg *Target) error {
		if v := tg.Value("uidvalidity"); v != nil {
			parts = append(parts, "uidvalidity="+string(v))
		}
		return tg.Each(func(id uint64, v []byte) error {
			if got := tg.Get(id); string(got) != string(v) {
				return fmt.Errorf("Get(%d) = %q, Each gave %q", id, got, v)
			}
			parts = append(parts, fmt.Sprintf("%d=%s", id, v))
			return nil
		})
	})
	if err != nil {
		t.Fatalf("View(%s): %v", target, err)
	}
	return strings.Join(parts, " ")
}

// BenchmarkRecordsPut records 100,000 messages' values in one commit,
// given as a map, in no order.
func BenchmarkRecordsPut(b *testing.B) {
	const n = 100_000
	a := openTemp(b)
	recs := a.Records("restores")
	values := make(map[uint64][]byte, n)
	for i := range n {
		values[uint64(i+1)] = []byte{'D', 0, 0, 0, byte(i)}
	}
	for b.Loop() {
		if err := recs.Update("bob@imap.example/INBOX", func(t *Target) error { return t.Put(values) }); err != nil {
			b.Fatal(err)
		}
	}
}
