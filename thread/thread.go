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
	finds int // calls of rep, and
	steps int // set links they followed: for the test of Build's cost
}

func (b *builder) get(id string) *container {
	c := b.table[id]
	if c == nil {
		c = &container{}
		b.table[id] = c
	}
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
	b := &builder{table: make(map[string]*container, len(msgs))}
	return b.build(msgs)
}

func (b *builder) build(msgs []Message) []*Thread {
	own := make([]*container, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		var c *container
		if m.MessageID != "" {
			c = b.get(m.MessageID)
			if c.msg != nil { // a duplicate: a message of its own
				c = &container{}
			}
		} else {
			c = &container{}
		}
		c.msg = m
		own[i] = c
	}
	// Each message's references, resolved once.
	refs := make([][]*container, len(msgs))
	for i := range msgs {
		refs[i] = make([]*container, len(msgs[i].Parents))
		for k, id := range msgs[i].Parents {
			refs[i][k] = b.get(id)
		}
		if n := len(refs[i]); n > 0 {
			b.link(own[i], refs[i][n-1])
		}
	}
	for _, rs := range refs {
		for k := 1; k < len(rs); k++ {
			b.link(rs[k], rs[k-1])
		}
	}
	all := own
	for _, c := range b.table {
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
