package thread

import (
	"fmt"
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

func FuzzBuild(f *testing.F) {
	f.Add("a b c", "b a", "Re: x")
	f.Fuzz(func(t *testing.T, ids, parents, subject string) {
		var msgs []Message
		for i, id := range strings.Fields(ids) {
			msgs = append(msgs, msg(uint64(i+1), id, subject, strings.Fields(parents)...))
		}
		n := 0
		for _, th := range Build(msgs) {
			n += len(th.Messages)
		}
		if n != len(msgs) {
			t.Fatalf("%d of %d messages", n, len(msgs))
		}
	})
}

// BenchmarkBuild100k threads 100,000 messages, a third of them replies.
func BenchmarkBuild100k(b *testing.B) {
	var msgs []Message
	for i := uint64(1); i <= 100000; i++ {
		var parents []string
		if i%3 == 0 {
			parents = []string{fmt.Sprint(i - 1), fmt.Sprint(i - 2)}
		}
		msgs = append(msgs, msg(i, fmt.Sprint(i), fmt.Sprint("subject ", i%5000), parents...))
	}
	b.ResetTimer()
	for range b.N {
		Build(msgs)
	}
}
