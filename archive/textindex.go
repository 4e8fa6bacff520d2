package archive

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/emersion/go-message/mail"
	"go.etcd.io/bbolt"

	"popvault/archive/fulltext"
)

// The full-text index lives in a folder beside the archive file and
// follows it: a background indexer adds what was stored since the index's
// mark (ids only grow) and re-reads the ids that changed below it, which
// every change records in the dirty bucket in its own transaction. So a
// kill at any moment leaves the index behind, never wrong, and the next
// open catches up; an index that is missing, of another version, of
// another archive or ahead of it (a restored backup) is rebuilt.
//
// The index is opened on first need (a store, a search, a wait), so that
// commands which only read pay nothing for it. While messages keep
// arriving the indexer waits for a pause (up to maxDefer): indexing costs
// more CPU than downloading, and a fetch should not wait for it.
var (
	bucketDirty = []byte("textdirty") // id → change sequence
	keyOwner    = []byte("owner")     // random; names this archive to its index
)

// textVersion names how textDoc takes text from mail. Version 2 indexes
// a message's HTML where it says what the text part does not, and its
// attachments as View lists them; an index of another version is
// rebuilt, and the rebuild corrects the attachment mark of messages
// stored before (fixFlags).
const textVersion = "/text-2"

const (
	indexBatchCount = 300
	indexBatchBytes = 32 << 20 // compressed bytes read per step
	maxIndexText    = 256 << 10
	quiet           = 300 * time.Millisecond // no store for this long is a pause
	maxDefer        = 10 * time.Second
)

// textIndex keeps the full-text index up to date in one goroutine.
type textIndex struct {
	a    *Archive
	mark uint64 // touched only by the indexing goroutine, or when it is stopped

	openMu  sync.Mutex
	x       *fulltext.Index // nil until first needed
	owner   []byte
	openErr error

	lastStore atomic.Int64 // unix nanoseconds of the last Store

	wake chan struct{}
	quit chan struct{}
	done chan struct{}

	mu        sync.Mutex
	requested uint64        // rounds asked for
	served    uint64        // the last request a finished round covered
	round     chan struct{} // closed when a round ends
	left      int           // messages waiting, as of the round's start
	err       error         // the last round's failure
	closed    bool
	waiters   int // callers of wait: do not defer for a pause
}

// SearchDir is where the full-text index of the archive at path lives.
func SearchDir(path string) string { return path + ".search" }

func newTextIndex(a *Archive) *textIndex {
	// wake lives as long as the archive, so that notify never meets a
	// Rebuild replacing it; quit and done are made anew by each start.
	t := &textIndex{a: a, round: make(chan struct{}), wake: make(chan struct{}, 1)}
	t.start()
	return t
}

// index opens the index on first use; a failure is remembered.
func (t *textIndex) index() (*fulltext.Index, error) {
	t.openMu.Lock()
	defer t.openMu.Unlock()
	if t.x != nil || t.openErr != nil {
		return t.x, t.openErr
	}
	t.owner, t.openErr = t.a.ownerID()
	if t.openErr != nil {
		return nil, t.openErr
	}
	// The index names its archive and how text was taken from mail: an
	// index made by another extraction is not this one's, and is rebuilt.
	t.owner = append(t.owner, textVersion...)
	x, err := fulltext.Open(SearchDir(t.a.path))
	if err != nil {
		t.openErr = wrapErr("", err)
		return nil, t.openErr
	}
	t.x = x
	if t.openErr = t.checkState(); t.openErr != nil {
		x.Close()
		t.x = nil
	}
	return t.x, t.openErr
}

// checkState empties an index that is not this archive's, or that is
// ahead of it, and reads the mark.
func (t *textIndex) checkState() error {
	owner, mark, err := t.x.State()
	if err != nil {
		return wrapErr("", err)
	}
	var seq uint64
	t.a.db.View(func(tx *bbolt.Tx) error {
		seq = tx.Bucket(bucketMessages).Sequence()
		return nil
	})
	if mark > 0 && (!bytes.Equal(owner, t.owner) || mark > seq) {
		if err := t.x.Reset(); err != nil {
			return wrapErr("", err)
		}
		mark = 0
	}
	t.mark = mark
	return nil
}

func (t *textIndex) start() {
	t.quit, t.done = make(chan struct{}), make(chan struct{})
	go t.run()
}

// stop lets the current step finish and the goroutine end.
func (t *textIndex) stop() {
	close(t.quit)
	<-t.done
}

// close stops indexing and closes the index; again, it does nothing.
func (t *textIndex) close() error {
	t.mu.Lock()
	closed := t.closed
	t.closed = true
	t.mu.Unlock()
	if closed {
		return nil
	}
	t.stop()
	t.openMu.Lock()
	defer t.openMu.Unlock()
	if t.x == nil {
		return nil
	}
	// What the last round applied but did not yet sync is kept, rather
	// than indexed again at the next open.
	return errors.Join(t.x.Sync(), t.x.Close())
}

// notify asks for a round: something was stored or changed.
func (t *textIndex) notify() {
	t.mu.Lock()
	t.requested++
	t.mu.Unlock()
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

func (t *textIndex) run() {
	defer close(t.done)
	for {
		select {
		case <-t.quit:
			return
		case <-t.wake:
		}
		t.mu.Lock()
		asked := t.requested
		t.mu.Unlock()
		_, err := t.index()
		if err == nil {
			t.countLeft()
			err = t.catchUp()
		}
		if err == errStopped {
			return
		}
		t.mu.Lock()
		t.served, t.err = asked, err
		close(t.round)
		t.round = make(chan struct{})
		t.mu.Unlock()
	}
}

var errStopped = fmt.Errorf("archive: indexing stopped")

func (t *textIndex) catchUp() error {
	for {
		if !t.pause() {
			return errStopped
		}
		n, err := t.step()
		// Indexing reads every message through the file's mapping, and
		// each batch looks its ids up in every segment of the index: both
		// would otherwise stay resident in the window that indexed them.
		t.a.trim()
		t.x.Trim()
		if err != nil {
			return err
		}
		if n == 0 {
			if err := t.x.Sync(); err != nil {
				return wrapErr("index", err)
			}
			return nil
		}
		t.mu.Lock()
		t.left = max(0, t.left-n)
		t.mu.Unlock()
	}
}

// pause waits until no message was stored for a while (unless someone
// waits for the index), and reports false if asked to stop meanwhile.
func (t *textIndex) pause() bool {
	deadline := time.Now().Add(maxDefer)
	for {
		t.mu.Lock()
		waited := t.waiters > 0
		t.mu.Unlock()
		since := time.Since(time.Unix(0, t.lastStore.Load()))
		if waited || since >= quiet || time.Now().After(deadline) {
			select {
			case <-t.quit:
				return false
			default:
				return true
			}
		}
		select {
		case <-t.quit:
			return false
		case <-time.After(quiet - since):
		}
	}
}

// stored notes that messages were stored, and asks for indexing.
func (t *textIndex) stored() {
	t.lastStore.Store(time.Now().UnixNano())
	t.notify()
}

// countLeft counts the messages above the mark. Before a rebuild that is
// every record, hundreds of megabytes of pages at a million messages:
// they are given back as the count goes.
func (t *textIndex) countLeft() {
	n := 0
	t.a.db.View(func(tx *bbolt.Tx) error {
		c := tx.Bucket(bucketIndex).Cursor()
		for k, _ := c.Seek(u64(t.mark + 1)); k != nil; k, _ = c.Next() {
			if n++; n%trimRecords == 0 {
				t.a.trimIn(tx)
			}
		}
		return nil
	})
	t.a.trim()
	t.mu.Lock()
	t.left = n
	t.mu.Unlock()
}

// wait blocks until every change made before the call is indexed.
func (t *textIndex) wait(ctx context.Context) error {
	t.notify()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.waiters++
	defer func() { t.waiters-- }() // runs before the unlock
	for target := t.requested; t.served < target; {
		round := t.round
		t.mu.Unlock()
		select {
		case <-ctx.Done():
			t.mu.Lock()
			return ctx.Err()
		case <-round:
		}
		t.mu.Lock()
	}
	return t.err
}

// status is how many messages wait to be indexed, and why indexing last
// failed, if it did.
func (t *textIndex) status() (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.left, t.err
}

// job is one message to index, copied out of its transaction.
type job struct {
	id   uint64
	rec  *Summary
	comp []byte
	seq  []byte // for a dirty id: the change it answers
	doc  fulltext.Doc
	gone bool
	read bool // its bytes were read: doc says what the message holds
	// preview, for a record stored before previews were kept: its own,
	// for fixFlags to keep.
	preview string
}

// step indexes one batch: new messages above the mark and changed ones
// below it. It returns how many it handled.
func (t *textIndex) step() (int, error) {
	fresh, changed, err := t.collect()
	if err != nil {
		return 0, err
	}
	jobs := append(fresh, changed...)
	if len(jobs) == 0 {
		return 0, nil
	}
	parallel(len(jobs), func(i int) { jobs[i].prepare() })
	select {
	case <-t.quit: // closing: leave this batch to the next open
		return 0, errStopped
	default:
	}
	var docs []fulltext.Doc
	var gone []uint64
	for i := range jobs {
		if jobs[i].gone {
			gone = append(gone, jobs[i].id)
		} else {
			docs = append(docs, jobs[i].doc)
		}
	}
	mark := t.mark
	if len(fresh) > 0 {
		mark = fresh[len(fresh)-1].id
	}
	if err := t.x.Apply(docs, gone, t.owner, mark); err != nil {
		return 0, wrapErr("index", err)
	}
	t.mark = mark
	if len(changed) > 0 {
		if err := t.clearDirty(changed); err != nil {
			return 0, err
		}
	}
	if err := t.fixFlags(jobs); err != nil {
		return 0, err
	}
	return len(jobs), nil
}

// fixFlags corrects the attachment mark of messages whose record says
// otherwise than their text does: those stored before pictures the body
// shows stopped counting as attachments. The mark then agrees with
// has:attachment. It also gives records stored before previews were kept
// their preview. Each record is read again in the transaction, so a
// change made meanwhile (read, unread) is kept.
func (t *textIndex) fixFlags(jobs []job) error {
	var wrong []job
	for _, j := range jobs {
		if !j.gone && j.read && (j.rec.HasAttachments != (len(j.doc.Attachments) > 0) || j.preview != "") {
			wrong = append(wrong, j)
		}
	}
	if len(wrong) == 0 {
		return nil
	}
	err := t.a.db.Update(func(tx *bbolt.Tx) error {
		for _, j := range wrong {
			s, err := getRecord(tx, j.id)
			if err != nil {
				continue // deleted meanwhile
			}
			s.HasAttachments = len(j.doc.Attachments) > 0
			if s.Preview == "" {
				s.Preview = j.preview
			}
			if err := tx.Bucket(bucketIndex).Put(u64(j.id), s.encode()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return wrapErr("index", err)
	}
	return nil
}

// collect reads a batch of messages above the mark and of changed ids.
func (t *textIndex) collect() (fresh, changed []job, err error) {
	err = t.a.db.View(func(tx *bbolt.Tx) error {
		index, msgs := tx.Bucket(bucketIndex), tx.Bucket(bucketMessages)
		size := 0
		read := func(id uint64, seq []byte) (job, error) {
			j := job{id: id, seq: seq}
			v := index.Get(u64(id))
			if v == nil {
				j.gone = true
				return j, nil
			}
			rec, err := decodeSummary(id, v)
			if err != nil {
				return j, fmt.Errorf("message %d: %w", id, err)
			}
			j.rec, j.comp = rec, append([]byte(nil), msgs.Get(u64(id))...)
			size += len(j.comp)
			return j, nil
		}
		c := index.Cursor()
		for k, _ := c.Seek(u64(t.mark + 1)); k != nil && len(fresh) < indexBatchCount && size < indexBatchBytes; k, _ = c.Next() {
			id, err := idOf(k)
			if err != nil {
				return err
			}
			j, err := read(id, nil)
			if err != nil {
				return err
			}
			fresh = append(fresh, j)
		}
		dirty := tx.Bucket(bucketDirty)
		if dirty == nil {
			return nil
		}
		c = dirty.Cursor()
		for k, v := c.First(); k != nil && len(changed) < indexBatchCount && size < indexBatchBytes; k, v = c.Next() {
			id, err := idOf(k)
			if err != nil {
				return err
			}
			j, err := read(id, append([]byte(nil), v...))
			if err != nil {
				return err
			}
			changed = append(changed, j)
		}
		return nil
	})
	if err != nil {
		return nil, nil, wrapErr("index", err)
	}
	return fresh, changed, nil
}

// clearDirty forgets the changes just indexed, unless a newer one came.
func (t *textIndex) clearDirty(done []job) error {
	err := t.a.db.Update(func(tx *bbolt.Tx) error {
		dirty := tx.Bucket(bucketDirty)
		for _, j := range done {
			if bytes.Equal(dirty.Get(u64(j.id)), j.seq) {
				if err := dirty.Delete(u64(j.id)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return wrapErr("index", err)
	}
	return nil
}

// markDirty records, in the transaction that changes it, that a message's
// index entry must be redone.
func markDirty(tx *bbolt.Tx, id uint64) error {
	dirty, err := tx.CreateBucketIfNotExists(bucketDirty)
	if err != nil {
		return err
	}
	seq, err := dirty.NextSequence()
	if err != nil {
		return err
	}
	return dirty.Put(u64(id), u64(seq))
}

func (j *job) prepare() {
	if j.gone {
		return
	}
	raw, err := decompress(j.comp)
	j.comp = nil
	if err != nil {
		raw = nil // index what the record says
	}
	j.read = err == nil
	j.doc = textDoc(j.rec, raw)
	if j.read && j.rec.Preview == "" {
		j.preview = preview(raw)
	}
}

// textDoc is what the index holds of a message: its headers, its text
// parts, and its HTML reduced to text where that says what they do not
// (see htmlAdds), up to maxIndexText; and its attachments' names, as
// View lists them (a nameless one as "attachment-N"), so that
// has:attachment finds what the list marks.
func textDoc(s *Summary, raw []byte) fulltext.Doc {
	d := fulltext.Doc{ID: s.ID, Date: s.Date, From: s.From, To: s.To, Subject: s.Subject}
	if s.Cc != "" {
		d.To += ", " + s.Cc
	}
	for _, r := range s.Refs {
		d.Accounts = append(d.Accounts, r.Account)
	}
	var plain strings.Builder
	var html string
	var names, pictures []string
	walkParts(raw, func(i int, p *mail.Part, ctype, name string) {
		if isAttachment(p, ctype, name) {
			names = append(names, safeName(name, i))
			pictures = append(pictures, pictureID(p, ctype))
			return
		}
		switch {
		case ctype == "text/plain" && plain.Len() < maxIndexText:
			io.Copy(&plain, io.LimitReader(p.Body, int64(maxIndexText-plain.Len())))
			plain.WriteByte('\n')
		case ctype == "text/html" && html == "":
			var v View
			html = v.readText(p.Body) // whole, as View reads it: its cid: addresses decide what is attached
		}
	}, func(error) {})
	refs := cidRefs(html)
	for i, name := range names {
		if pictures[i] == "" || !refs[pictures[i]] {
			d.Attachments = append(d.Attachments, name)
		}
	}
	d.Body = plain.String()
	if html != "" {
		text := HTMLText(cutText(html, 4*maxIndexText))
		if strings.TrimSpace(d.Body) == "" {
			d.Body = text
		} else if htmlAdds(d.Body, text) {
			d.Body += "\n" + text
		}
	}
	d.Body = cutText(d.Body, maxIndexText)
	d.Body = strings.ToValidUTF8(d.Body, "\uFFFD")
	return d
}

// cutText is at most the first n bytes of s.
func cutText(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// htmlAdds reports whether a message's HTML, reduced to text, holds
// words that its text part lacks: many newsletters' text part is a stub
// ("This message is best read as HTML"), or a shortened copy. Where the
// two agree (most mail programs write the one from the other), the HTML
// is not indexed again. It does where more than a quarter of the HTML's
// distinct words are missing from the text part.
func htmlAdds(plain, html string) bool {
	have := map[string]bool{}
	for _, w := range words(plain, maxWords) {
		have[w] = true
	}
	seen := map[string]bool{}
	missing := 0
	for _, w := range words(html, maxWords) {
		if seen[w] {
			continue
		}
		seen[w] = true
		if !have[w] {
			missing++
		}
	}
	return missing*4 > len(seen)
}

// maxWords bounds the words compared: enough to tell a stub or a
// shortened copy from the whole.
const maxWords = 5000

// words returns the first n words of s (runs of letters and digits)
// longer than two bytes ("a", "to" tell nothing), in lower case.
func words(s string, n int) []string {
	var out []string
	start := -1
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start > 2 {
			if out = append(out, strings.ToLower(s[start:i])); len(out) >= n {
				return out
			}
		}
		start = -1
	}
	if start >= 0 && len(s)-start > 2 {
		out = append(out, strings.ToLower(s[start:]))
	}
	return out
}

// ownerID returns the archive's random name, made at its creation (or at
// the first open by a popvault that has full-text search).
func (a *Archive) ownerID() ([]byte, error) {
	var owner []byte
	a.db.View(func(tx *bbolt.Tx) error {
		owner = append([]byte(nil), tx.Bucket(bucketMeta).Get(keyOwner)...)
		return nil
	})
	if len(owner) > 0 {
		return owner, nil
	}
	owner = make([]byte, 16)
	rand.Read(owner)
	err := a.update(func(tx *bbolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyOwner, owner) })
	return owner, err
}
