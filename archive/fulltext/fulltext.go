// Package fulltext is the archive's full-text index: a bleve index of each
// message's text (decoded text parts, HTML reduced to text, sender,
// recipients, subject, attachment names), kept in a folder beside the
// archive file, with Gmail-like query syntax. It holds nothing that cannot
// be rebuilt: the archive is the source of truth, and this package knows
// nothing of it beyond message ids.
package fulltext

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	bolterrors "go.etcd.io/bbolt/errors"
)

// version names the mapping and the text extraction. An index written
// under another version is rebuilt.
const version = "popvault-fulltext-4"

// Internal keys, written in the same batch as the documents they describe.
var (
	keyVersion = []byte("version")
	keyOwner   = []byte("owner") // which archive the index belongs to
	keyMark    = []byte("mark")  // every id up to this one is indexed
)

// ErrInUse: another process has the index open.
var ErrInUse = errors.New("fulltext: index in use by another process")

// Doc is the text of one message.
type Doc struct {
	ID          uint64
	Date        time.Time
	Accounts    []string
	From        string
	To          string // To and Cc
	Subject     string
	Body        string
	Attachments []string // file names
}

// Index is an open full-text index. Its methods are safe for concurrent
// use.
type Index struct {
	mu  sync.RWMutex // guards idx, which Reset replaces
	idx bleve.Index
	dir string
	// unsynced: Apply was called since the last Sync. Without it Sync
	// would write the index's root to disk at every close, even after
	// nothing but a search.
	unsynced atomic.Bool
}

// current returns the bleve index in use.
func (x *Index) current() bleve.Index {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.idx
}

// Open opens the index in dir, creating it if missing. An index of another
// version, or one that cannot be opened, is discarded and created anew
// (empty: State reports mark 0), since it can always be rebuilt.
func Open(dir string) (*Index, error) {
	idx, err := bleve.OpenUsing(dir, config())
	if err == nil {
		if v, _ := idx.GetInternal(keyVersion); string(v) == version {
			trim(idx) // opening reads each segment's footer and dictionaries
			return &Index{idx: idx, dir: dir}, nil
		}
		idx.Close()
	} else if isLockTimeout(err) {
		return nil, fmt.Errorf("%w: %s", ErrInUse, dir)
	}
	return create(dir)
}

// config is scorch's: a second popvault gets an error within a second
// rather than waiting for the index; segments stop growing at 25,000
// messages, so that no merge maps and rewrites the whole index at once;
// and a batch returns once searchable, not once on disk (Sync waits for
// that), so that the next batch is read and analysed while bleve writes
// this one, and its writer joins several small segments into one.
func config() map[string]interface{} {
	return map[string]interface{}{
		"bolt_timeout":           "1s",
		"unsafe_batch":           true,
		"eventCallbackName":      eventCallback,
		"scorchMergePlanOptions": map[string]interface{}{"MaxSegmentSize": 25000},
	}
}

func create(dir string) (*Index, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, fmt.Errorf("fulltext: %w", err)
	}
	idx, err := bleve.NewUsing(dir, newMapping(), "scorch", "scorch", config())
	if err != nil {
		return nil, fmt.Errorf("fulltext: create %s: %w", dir, err)
	}
	if err := idx.SetInternal(keyVersion, []byte(version)); err != nil {
		idx.Close()
		return nil, fmt.Errorf("fulltext: %w", err)
	}
	return &Index{idx: idx, dir: dir}, nil
}

func isLockTimeout(err error) bool { return errors.Is(err, bolterrors.ErrTimeout) }

// Reset empties the index. A search running meanwhile fails cleanly.
func (x *Index) Reset() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.idx.Close()
	n, err := create(x.dir)
	if err != nil {
		return err
	}
	x.idx = n.idx
	return nil
}

// Close closes the index.
func (x *Index) Close() error { return x.current().Close() }

// State is what the index says of itself: the archive it belongs to and
// the highest id up to which every message is indexed.
func (x *Index) State() (owner []byte, mark uint64, err error) {
	owner, err = x.current().GetInternal(keyOwner)
	if err != nil {
		return nil, 0, fmt.Errorf("fulltext: %w", err)
	}
	m, err := x.current().GetInternal(keyMark)
	if err != nil {
		return nil, 0, fmt.Errorf("fulltext: %w", err)
	}
	if len(m) == 8 {
		mark = binary.BigEndian.Uint64(m)
	}
	return owner, mark, nil
}

// Apply indexes docs, removes the ids in gone, and records owner and mark.
// It returns once they are searchable; Sync makes them durable. A kill
// before then loses them together with the mark that says they were
// indexed, never one without the other.
//
// bleve builds a batch's segment on one core, in the caller, after
// analysing its documents on several: so the documents go in as one
// batch per core, built at once, and the mark in a batch after them all,
// which no snapshot of the index can hold without them.
func (x *Index) Apply(docs []Doc, gone []uint64, owner []byte, mark uint64) error {
	x.unsynced.Store(true)
	idx := x.current()
	parts := min(runtime.GOMAXPROCS(0), (len(docs)+minPart-1)/minPart)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for p := range parts {
		part := docs[p*len(docs)/parts : (p+1)*len(docs)/parts]
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[p] = apply(idx, part)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	b := idx.NewBatch()
	for _, id := range gone {
		b.Delete(docID(id))
	}
	b.SetInternal(keyOwner, owner)
	b.SetInternal(keyMark, binary.BigEndian.AppendUint64(nil, mark))
	if err := idx.Batch(b); err != nil {
		return fmt.Errorf("fulltext: %w", err)
	}
	return nil
}

// minPart is the fewest documents worth a batch of their own.
const minPart = 50

func apply(idx bleve.Index, docs []Doc) error {
	b := idx.NewBatch()
	for i := range docs {
		if err := b.Index(docID(docs[i].ID), docs[i].fields()); err != nil {
			return fmt.Errorf("fulltext: message %d: %w", docs[i].ID, err)
		}
	}
	if err := idx.Batch(b); err != nil {
		return fmt.Errorf("fulltext: %w", err)
	}
	return nil
}

// Sync returns once every batch applied before it is on disk.
func (x *Index) Sync() error {
	if !x.unsynced.Swap(false) {
		return nil
	}
	idx := x.current()
	b := idx.NewBatch()
	done := make(chan error, 1)
	b.SetPersistedCallback(func(err error) { done <- err })
	err := idx.Batch(b)
	if err == nil {
		err = <-done
	}
	if err != nil {
		x.unsynced.Store(true)
		return fmt.Errorf("fulltext: %w", err)
	}
	return nil
}

// DocCount is how many messages the index holds.
func (x *Index) DocCount() (uint64, error) { return x.current().DocCount() }

func (d *Doc) fields() map[string]interface{} {
	from, to, names := spread(d.From), spread(d.To), spread(strings.Join(d.Attachments, "\n"))
	text := strings.Join([]string{d.Subject, from, to, names, d.Body}, "\n")
	return map[string]interface{}{
		fieldDate:        d.Date,
		fieldOrder:       orderKey(d.Date, d.ID),
		fieldAccount:     d.Accounts,
		fieldFrom:        from,
		fieldTo:          to,
		fieldSubject:     d.Subject,
		fieldAttachments: names,
		fieldHas:         len(d.Attachments) > 0,
		fieldText:        text,
	}
}

// orderKey sorts by date, then id. Dates before 1970 sort as 1970.
func orderKey(date time.Time, id uint64) string {
	return fmt.Sprintf("%016x%016x", max(0, date.Unix()), id)
}

// spread appends s with its punctuation turned into spaces, so that the
// parts of "ann.lee@example.com" and "report.pdf" are words too (Unicode
// word breaking keeps "example.com" and "report.pdf" whole).
func spread(s string) string {
	parts := strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return ' '
		}
		return r
	}, s)
	return s + "\n" + parts
}

// docID is an id in fixed-width hex, so that id order is string order.
func docID(id uint64) string { return fmt.Sprintf("%016x", id) }

func parseDocID(s string) (uint64, error) { return strconv.ParseUint(s, 16, 64) }
