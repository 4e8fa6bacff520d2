// Package thread groups messages into conversations with Jamie Zawinski's
// threading algorithm (https://www.jwz.org/doc/threading.html): by
// Message-ID, References and In-Reply-To, then, for messages that name no
// parent, by subject. It is a pure function of the messages' headers, so
// that it is tested without an archive or a window.
package thread

import (
	"slices"
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

	// A disjoint-set forest over the containers answers "which tree is
	// this in?" in near-constant time, where walking up the parents
	// would take as many steps as the tree is deep (and crafted
	// References make trees tens of thousands deep). It works because
	// Build only ever links a root under another tree, never moves a
	// container that has a parent: trees only join.
	up   *container // towards the set's representative; nil at it
	rank uint8      // at a representative: a bound on the set's height
	top  *container // at a representative: the root of its tree
}

// builder holds the containers while Build threads.
type builder struct {
	table map[string]*container
	all   []*container // every container, in the order made
	slab  []container  // where the next are made, allocated together
	finds int          // calls of rep, and
	steps int          // set links they followed: for the test of Build's cost
}

func (b *builder) get(id string) *container {
	c := b.table[id]
	if c == nil {
		c = b.make()
		b.table[id] = c
	}
	return c
}

func (b *builder) make() *container {
	if len(b.slab) == 0 {
		b.slab = make([]container, min(max(64, len(b.all)/4), 4096))
	}
	c := &b.slab[0]
	b.slab = b.slab[1:]
	b.all = append(b.all, c)
	return c
}

// rep is c's set's representative, halving the path on the way.
func (b *builder) rep(c *container) *container {
	b.finds++
	for c.up != nil {
		b.steps++
		if c.up.up != nil {
			c.up = c.up.up
		}
		c = c.up
	}
	return c
}

// root is the root of the tree c is in.
func (b *builder) root(c *container) *container {
	if r := b.rep(c); r.top != nil {
		return r.top
	}
	return c // never linked: its own root
}

// link makes c, a root, a child of p, unless that would make a loop.
func (b *builder) link(c, p *container) {
	if c.parent != nil || c == p || b.root(p) == c {
		return
	}
	c.parent = p
	p.children = append(p.children, c)
	rc, rp := b.rep(c), b.rep(p)
	top := b.root(p)
	if rc.rank > rp.rank {
		rc, rp = rp, rc
	}
	rc.up = rp
	if rc.rank == rp.rank {
		rp.rank++
	}
	rp.top = top
}

// Build threads msgs, newest thread first. Duplicate Message-IDs make
// separate messages; loops in References are broken.
//
// Each message's parent is first its last reference: what the message
// says of itself wins over what others guess of it. Then, message by
// message, the rest of the references are linked in order, each the
// parent of the next, where the next has no parent yet. A link that
// would close a loop is not made, and no link is ever undone: so each is
// decided in near-constant time, whatever the depth of the thread.
func Build(msgs []Message) []*Thread {
	return newBuilder(msgs).build(msgs)
}

// newBuilder sizes a builder for msgs: a container each, to begin with
// (references mostly name messages that are there).
func newBuilder(msgs []Message) *builder {
	return &builder{table: make(map[string]*container, len(msgs)), all: make([]*container, 0, len(msgs))}
}

func (b *builder) build(msgs []Message) []*Thread {
	own := make([]*container, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		var c *container
		if m.MessageID != "" {
			c = b.get(m.MessageID)
			if c.msg != nil { // a duplicate: a message of its own
				c = b.make()
			}
		} else {
			c = b.make()
		}
		c.msg = m
		own[i] = c
	}
	for i := range msgs {
		if n := len(msgs[i].Parents); n > 0 {
			b.link(own[i], b.get(msgs[i].Parents[n-1]))
		}
	}
	for i := range msgs {
		var prev *container
		for _, id := range msgs[i].Parents {
			r := b.get(id)
			if prev != nil {
				b.link(r, prev)
			}
			prev = r
		}
	}
	// The root set: containers without parents.
	var roots []*container
	for _, c := range b.all {
		if c.parent == nil {
			roots = append(roots, c)
		}
	}
	// Empty containers (referenced, never seen) give way to their
	// children; those without children go.
	var kept []*container
	for _, r := range roots {
		if k := prune(r); k != nil {
			kept = append(kept, k)
		}
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

// prune returns what stands for root at the root: root itself when it
// holds a message, else what stands for its children (pruned in turn),
// or nil. It keeps its own stack: crafted References make trees deeper
// than recursion should go.
func prune(root *container) *container {
	type frame struct {
		c    *container
		next int // the next child to prune
		base int // where what stands for its children begins in kept
	}
	stack := []frame{{c: root}}
	var kept []*container // what stands for the children pruned, of every frame open
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.next < len(f.c.children) {
			ch := f.c.children[f.next]
			f.next++
			stack = append(stack, frame{c: ch, base: len(kept)})
			continue
		}
		r := settle(f.c, kept[f.base:])
		kept = kept[:f.base]
		stack = stack[:len(stack)-1]
		if r != nil {
			kept = append(kept, r)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return kept[0]
}

// settle puts c's pruned children under it and returns c; when c holds
// no message, it returns what stands for it instead: its one child, the
// eldest of several holding the others, or nil.
func settle(c *container, children []*container) *container {
	if c.msg == nil {
		for _, ch := range children {
			ch.parent = nil
		}
		switch len(children) {
		case 0:
			return nil
		case 1:
			return children[0]
		}
		// Several replies to a message we do not have: the eldest holds
		// the others.
		sort.SliceStable(children, func(i, j int) bool { return children[i].msg.Date.Before(children[j].msg.Date) })
		first := children[0]
		for _, ch := range children[1:] {
			ch.parent = first
			first.children = append(first.children, ch)
		}
		return first
	}
	c.children = slices.Clone(children)
	for _, ch := range children {
		ch.parent = c
	}
	return c
}

// collect appends the messages of the tree under c, c's first.
func collect(c *container, out *[]Message) {
	stack := []*container{c}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if c.msg != nil {
			*out = append(*out, *c.msg)
		}
		for i := len(c.children) - 1; i >= 0; i-- {
			stack = append(stack, c.children[i])
		}
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
