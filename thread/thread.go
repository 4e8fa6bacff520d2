// Package thread groups messages into conversations with Jamie Zawinski's
// threading algorithm (https://www.jwz.org/doc/threading.html): by
// Message-ID, References and In-Reply-To, then, for messages that name no
// parent, by subject. It is a pure function of the messages' headers, so
// that it is tested without an archive or a window.
package thread

import (
	"sort"
	"strings"
	"time"
)

// Message is what threading reads of a message.
type Message struct {
	ID        uint64
	MessageID string
	Parents   []string // References, then In-Reply-To: eldest first
	Subject   string
	Date      time.Time
	From      string // not read: carried for whoever shows the thread
}

// Thread is a conversation: its messages in date order, oldest first.
type Thread struct {
	Messages []Message
}

// Newest is the thread's latest message.
func (t *Thread) Newest() Message { return t.Messages[len(t.Messages)-1] }

type container struct {
	msg      *Message
	parent   *container
	children []*container
}

func (c *container) isAncestorOf(d *container) bool {
	for p := d; p != nil; p = p.parent {
		if p == c {
			return true
		}
	}
	return false
}

func (c *container) setParent(p *container) {
	if c.parent != nil {
		siblings := c.parent.children
		for i, s := range siblings {
			if s == c {
				c.parent.children = append(siblings[:i:i], siblings[i+1:]...)
				break
			}
		}
	}
	c.parent = p
	if p != nil {
		p.children = append(p.children, c)
	}
}

// Build threads msgs, newest thread first. Duplicate Message-IDs make
// separate messages; loops in References are broken.
func Build(msgs []Message) []*Thread {
	table := map[string]*container{}
	get := func(id string) *container {
		c := table[id]
		if c == nil {
			c = &container{}
			table[id] = c
		}
		return c
	}
	var all []*container
	for i := range msgs {
		m := &msgs[i]
		var c *container
		if m.MessageID != "" {
			c = get(m.MessageID)
			if c.msg != nil { // a duplicate: a message of its own
				c = &container{}
			}
		} else {
			c = &container{}
		}
		c.msg = m
		all = append(all, c)
		// Link the references in order, each the parent of the next,
		// never making a loop and never moving a container that already
		// has a parent.
		var prev *container
		for _, ref := range m.Parents {
			r := get(ref)
			if prev != nil && r.parent == nil && r != prev && !r.isAncestorOf(prev) {
				r.setParent(prev)
			}
			prev = r
		}
		// The message's own parent is its last reference, whatever was
		// guessed before.
		if prev != nil && (prev == c || c.isAncestorOf(prev)) {
			prev = nil
		}
		if c.parent != prev {
			c.setParent(prev)
		}
	}
	for _, c := range table {
		all = append(all, c)
	}
	// The root set: containers without parents, each once.
	seen := map[*container]bool{}
	var roots []*container
	for _, c := range all {
		if c.parent == nil && !seen[c] {
			seen[c] = true
			roots = append(roots, c)
		}
	}
	// Empty containers (referenced, never seen) give way to their
	// children; those without children go.
	var kept []*container
	for _, r := range roots {
		kept = append(kept, prune(r)...)
	}
	// A reply that names no parent (its program dropped References)
	// joins the thread that began with its subject. Oldest first, so the
	// first of a subject is seen before its replies.
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].msg.Date.Before(kept[j].msg.Date) })
	bySubject := map[string]*container{}
	var threads []*container
	for _, r := range kept {
		key := baseSubject(r.msg.Subject)
		if first := bySubject[key]; first != nil && key != "" && isReply(r.msg.Subject) && len(r.msg.Parents) == 0 {
			first.children = append(first.children, r)
			r.parent = first
			continue
		}
		if key != "" && bySubject[key] == nil {
			bySubject[key] = r
		}
		threads = append(threads, r)
	}
	out := make([]*Thread, 0, len(threads))
	for _, r := range threads {
		t := &Thread{}
		collect(r, &t.Messages)
		sort.SliceStable(t.Messages, func(i, j int) bool { return t.Messages[i].Date.Before(t.Messages[j].Date) })
		out = append(out, t)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Newest().Date.After(out[j].Newest().Date) })
	return out
}

// prune returns what stands for c at the root: c itself when it holds a
// message, else its children (pruned in turn), or nothing.
func prune(c *container) []*container {
	var children []*container
	for _, ch := range c.children {
		children = append(children, prune(ch)...)
	}
	if c.msg == nil {
		for _, ch := range children {
			ch.parent = nil
		}
		if len(children) <= 1 {
			return children
		}
		// Several replies to a message we do not have: the eldest holds
		// the others.
		sort.SliceStable(children, func(i, j int) bool { return children[i].msg.Date.Before(children[j].msg.Date) })
		first := children[0]
		for _, ch := range children[1:] {
			ch.parent = first
			first.children = append(first.children, ch)
		}
		return []*container{first}
	}
	c.children = children
	for _, ch := range children {
		ch.parent = c
	}
	return []*container{c}
}

func collect(c *container, out *[]Message) {
	if c.msg != nil {
		*out = append(*out, *c.msg)
	}
	for _, ch := range c.children {
		collect(ch, out)
	}
}

// baseSubject is a subject without its "Re:", "Fwd:" and list tags, in
// lower case, for grouping.
func baseSubject(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	for {
		t := s
		for _, p := range []string{"re:", "fwd:", "fw:", "aw:", "sv:", "vs:", "antw:", "wg:", "tr:", "r:"} {
			t = strings.TrimSpace(strings.TrimPrefix(t, p))
		}
		if strings.HasPrefix(t, "[") {
			if i := strings.IndexByte(t, ']'); i > 0 {
				t = strings.TrimSpace(t[i+1:])
			}
		}
		if t == s {
			return s
		}
		s = t
	}
}

func isReply(s string) bool { return baseSubject(s) != strings.ToLower(strings.TrimSpace(s)) }
