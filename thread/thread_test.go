package thread

import (
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// msg makes a message numbered id, a day after the epoch per id.
func msg(id uint64, messageID, subject string, parents ...string) Message {
	return Message{ID: id, MessageID: messageID, Subject: subject, Parents: parents, Date: time.Unix(int64(id)*86400, 0)}
}

// shape writes threads as "1 2 3 | 4 5", each thread's ids in date
// order, threads in the order Build gave.
func shape(ts []*Thread) string {
	var out []string
	for _, t := range ts {
		var ids []string
		for _, m := range t.Messages {
			ids = append(ids, fmt.Sprint(m.ID))
		}
		out = append(out, strings.Join(ids, " "))
	}
	return strings.Join(out, " | ")
}

func TestBuild(t *testing.T) {
	for _, c := range []struct {
		name string
		msgs []Message
		want string
	}{
		{"a chain", []Message{msg(1, "a", "Plan"), msg(2, "b", "Re: Plan", "a"), msg(3, "c", "Re: Plan", "a", "b")}, "1 2 3"},
		{"newest thread first", []Message{msg(1, "a", "One"), msg(2, "b", "Two"), msg(3, "c", "Re: One", "a")}, "1 3 | 2"},
		{"a missing parent", []Message{msg(2, "b", "Re: Plan", "a"), msg(3, "c", "Re: Plan", "a")}, "2 3"},
		{"a missing grandparent", []Message{msg(1, "x", "Other"), msg(3, "c", "Re: Plan", "a", "b"), msg(4, "d", "Re: Plan", "a", "b", "c")}, "3 4 | 1"},
		{"a loop in References", []Message{msg(1, "a", "L", "b"), msg(2, "b", "Re: L", "a")}, "1 2"},
		{"a message naming itself", []Message{msg(1, "a", "Self", "a")}, "1"},
		{"duplicate Message-IDs", []Message{msg(1, "a", "First"), msg(2, "a", "Copy"), msg(3, "r", "Re: First", "a")}, "1 3 | 2"},
		{"a reply without References joins by subject", []Message{msg(1, "a", "Dinner"), msg(2, "b", "Re: Dinner"), msg(3, "c", "AW: [list] Dinner")}, "1 2 3"},
		{"the same subject, no reply: apart", []Message{msg(1, "a", "Invoice"), msg(2, "b", "Invoice")}, "2 | 1"},
		{"no Message-ID", []Message{msg(1, "", "A"), msg(2, "", "B")}, "2 | 1"},
		{"out of order", []Message{msg(3, "c", "Re: X", "a", "b"), msg(1, "a", "X"), msg(2, "b", "Re: X", "a")}, "1 2 3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := shape(Build(c.msgs)); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestBuildKeepsEveryMessage: whatever the headers, each message is in
// exactly one thread.
func TestBuildKeepsEveryMessage(t *testing.T) {
	var msgs []Message
	for i := uint64(1); i <= 500; i++ {
		var parents []string
		for j := uint64(0); j < i%7; j++ {
			parents = append(parents, fmt.Sprint((i*31+j*17)%600))
		}
		msgs = append(msgs, msg(i, fmt.Sprint(i%450), []string{"S", "Re: S", "T"}[i%3], parents...))
	}
	var ids []int
	for _, th := range Build(msgs) {
		for _, m := range th.Messages {
			ids = append(ids, int(m.ID))
		}
	}
	sort.Ints(ids)
	if len(ids) != 500 || ids[0] != 1 || ids[499] != 500 {
		t.Fatalf("%d messages in threads", len(ids))
	}
	for i := 1; i < len(ids); i++ {
		if ids[i] == ids[i-1] {
			t.Fatalf("message %d twice", ids[i])
		}
	}
}

// parse reads messages written one a line, "ID PARENT...", "-" for no
// Message-ID; every third is a reply by its subject.
func parse(spec string) []Message {
	var msgs []Message
	for i, line := range strings.Split(spec, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		id := f[0]
		if id == "-" {
			id = ""
		}
		msgs = append(msgs, msg(uint64(i+1), id, []string{"S", "Re: S", "T"}[i%3], f[1:]...))
	}
	return msgs
}

// format writes msgs as parse reads them.
func format(msgs []Message) string {
	var b strings.Builder
	for _, m := range msgs {
		b.WriteString(strings.Join(append([]string{m.MessageID}, m.Parents...), " ") + "\n")
	}
	return b.String()
}

// checkCost fails when building b's messages followed more links of the
// disjoint sets than their height allows: at most log2 of the number of
// containers per look-up (union by rank), where walking up the parents
// would take the depth of the tree.
func checkCost(t *testing.T, b *builder) {
	t.Helper()
	if limit := b.finds * (bits.Len(uint(len(b.table))) + 1); b.steps > limit {
		t.Fatalf("%d steps for %d look-ups among %d containers: over %d", b.steps, b.finds, len(b.table), limit)
	}
}

// TestBuildCost: threading costs a bounded number of steps per
// reference, however deep the References make a thread.
func TestBuildCost(t *testing.T) {
	reversed := crafted(2000)
	slices.Reverse(reversed)
	for name, msgs := range map[string][]Message{
		"a chain ever deeper":            crafted(2000),
		"the same, newest first":         reversed,
		"the root named again and again": rootAgain(2000),
		"100,000 messages":               many(100000),
	} {
		t.Run(name, func(t *testing.T) {
			b := newBuilder(msgs)
			ts := b.build(msgs)
			n := 0
			for _, th := range ts {
				n += len(th.Messages)
			}
			if n != len(msgs) {
				t.Fatalf("%d of %d messages in threads", n, len(msgs))
			}
			checkCost(t, b)
			t.Logf("%d threads, %d steps for %d look-ups", len(ts), b.steps, b.finds)
		})
	}
}

func FuzzBuild(f *testing.F) {
	f.Add("a b\nb a\nc a b\n")
	f.Add("a\nb a\nc b a\nc\n- c\nd x y z\ne d e\n")
	f.Add(format(crafted(200)))
	f.Add(format(rootAgain(200)))
	f.Fuzz(func(t *testing.T, spec string) {
		msgs := parse(spec)
		b := newBuilder(msgs)
		n := 0
		for _, th := range b.build(msgs) {
			n += len(th.Messages)
		}
		if n != len(msgs) {
			t.Fatalf("%d of %d messages", n, len(msgs))
		}
		checkCost(t, b)
	})
}

// BenchmarkBuild100k threads 100,000 messages, a third of them replies.
func BenchmarkBuild100k(b *testing.B) {
	msgs := many(100000)
	for b.Loop() {
		Build(msgs)
	}
}

// many makes n messages, a third of them replies.
func many(n int) []Message {
	var msgs []Message
	for i := uint64(1); i <= uint64(n); i++ {
		var parents []string
		if i%3 == 0 {
			parents = []string{fmt.Sprint(i - 1), fmt.Sprint(i - 2)}
		}
		msgs = append(msgs, msg(i, fmt.Sprint(i), fmt.Sprint("subject ", i%5000), parents...))
	}
	return msgs
}

// crafted makes the shape that made threading cubic: n messages whose
// references, 20 each as the archive keeps, make one chain ever deeper
// (each goes on from the deepest reference of the message before, through
// 19 Message-IDs never seen), so that every reference asked whether a
// container 20 times deeper than the number of messages descends from it.
func crafted(n int) []Message {
	msgs := make([]Message, 0, n)
	tail := ""
	for i := 1; i <= n; i++ {
		var parents []string
		if tail != "" {
			parents = append(parents, tail)
		}
		for k := 1; k < 20; k++ {
			parents = append(parents, fmt.Sprintf("f%d.%d", i, k))
		}
		tail = parents[len(parents)-1]
		msgs = append(msgs, msg(uint64(i), fmt.Sprint("m", i), "Re: deep", parents...))
	}
	return msgs
}

// rootAgain makes a chain of n replies, each naming the chain's root
// again and again among its references, before its parent: each of those
// asked whether the root descends from a deep message.
func rootAgain(n int) []Message {
	msgs := make([]Message, 0, n)
	for i := 1; i <= n; i++ {
		var parents []string
		if i > 1 {
			for range 10 {
				parents = append(parents, "m1", fmt.Sprint("m", i-1))
			}
		}
		msgs = append(msgs, msg(uint64(i), fmt.Sprint("m", i), "Re: deep", parents...))
	}
	return msgs
}

// BenchmarkBuildCrafted threads the crafted 4,000 messages.
func BenchmarkBuildCrafted(b *testing.B) {
	msgs := crafted(4000)
	for b.Loop() {
		Build(msgs)
	}
}
