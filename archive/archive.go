// Package archive is popvault's store: one bbolt file holding every
// message's raw bytes exactly as the server sent them (zstd-compressed,
// stored once however many accounts bring them), a compact index for
// listing and header search without touching bodies, and each account's
// POP UID state and settings. Passwords are never stored here.
//
// A call that stores returns only after bbolt's commit, which fsyncs: what
// it reports as stored survives a crash.
//
// # Contents
//
//   - The file: [Open] with [Options], [DefaultPath]; [Archive.Close],
//     [Archive.Path], [Archive.Size], [Archive.ReadOnly].
//   - Storing mail: [Archive.Store] ([Incoming], [Prepare], [Stored]),
//     [Archive.SetRead], [Archive.Delete], and [Archive.Hold], which keeps
//     the messages a fetch is deleting from a server.
//   - Reading mail: [Archive.List] ([Query], [Page], [Summary]),
//     [Archive.Count] ([Counts]), [Archive.Summary], [Archive.View]
//     ([View]), [Archive.Raw], [Archive.Attachment] ([Attachment]);
//     [Headline], [HTMLText], [SafeFileName].
//   - Searching: [ParseSearch] reads a search for [Query]; the full-text
//     index's life (start, wait, status, rebuild) is [Archive.SearchIndex]
//     ([SearchIndex]), kept in the folder [SearchDir] names.
//   - Accounts: [Archive.Accounts] lists them; [Archive.Account] is one
//     ([Account]: its settings, its POP UIDs ([UIDState]), removing it).
//   - Moving mail in and out, and checking it: [Archive.Import]
//     ([ImportReport]) and [Archive.Export] in Maildir, mboxrd and .eml;
//     [Archive.Verify] ([Report]) re-hashes every message;
//     [Archive.BackfillParents] completes records written before threads.
//   - Records a caller keeps about another place its messages go (a
//     restore's IMAP mailbox, a delivery's inbox): [Archive.Records]
//     ([Records], [Target]).
package archive

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime"
	"strings"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Buckets. Keys of messages and index are big-endian uint64 ids, so cursor
// order is arrival order; byDate keys are date then id.
var (
	bucketMessages = []byte("messages") // id → zstd(raw)
	bucketIndex    = []byte("index")    // id → record
	bucketByDate   = []byte("bydate")   // date|id → folded search text
	bucketHashes   = []byte("hashes")   // sha256 → id
	bucketAccounts = []byte("accounts") // name → {settings, uids/}
	bucketMeta     = []byte("meta")     // format version
	keySettings    = []byte("settings")
	bucketUIDs     = []byte("uids") // uid → first seen|id
	keyVersion     = []byte("version")
)

const formatVersion = 1

// Errors callers branch on.
var (
	// ErrInUse: another process has the archive open.
	ErrInUse = errors.New("archive: in use by another popvault")
	// ErrNotFound: no message or account by that id or name.
	ErrNotFound = errors.New("archive: not found")
	// ErrTooNew: the file was written by a newer popvault.
	ErrTooNew = errors.New("archive: written by a newer version")
)

// Options configure Open. Nil means defaults.
type Options struct {
	// LockTimeout is how long to wait for another process to let go.
	// Zero means one second.
	LockTimeout time.Duration
	// ReadOnly opens without writing, sharing the file with other readers.
	ReadOnly bool
	// NoSync skips fsync. Only for tests and benchmarks that measure
	// something else: it breaks the durability promise.
	NoSync bool
	// NoFullText opens without the full-text index: a search then matches
	// headers only. A read-only open never has it.
	NoFullText bool
	// MaxMessageSize is the largest message Import takes; zero means
	// MaxMessageSize, the limit a fetch applies too.
	MaxMessageSize int64
}

// MaxMessageSize is the largest message popvault stores: a fetch leaves a
// larger one on the server, an import leaves it out, and neither ever
// holds more of one in memory.
const MaxMessageSize = 512 << 20

// Archive is an open archive file. Its methods are safe for concurrent use.
type Archive struct {
	db         *bbolt.DB
	path       string
	text       *textIndex // nil without full-text search
	holds      holds      // messages a fetch is deleting from a server
	maxMessage int64
}

// Open opens or creates the archive at path with mode 0600.
func Open(path string, opts *Options) (*Archive, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = time.Second
	}
	bo := &bbolt.Options{
		Timeout:      o.LockTimeout,
		ReadOnly:     o.ReadOnly,
		NoSync:       o.NoSync,
		FreelistType: bbolt.FreelistMapType,
	}
	if runtime.GOOS != "windows" && math.MaxInt > math.MaxInt32 {
		// Reserve address space (not memory) so that a commit rarely has to
		// remap, which copies every pending value. Windows would grow the
		// file to match, so it keeps the default.
		bo.InitialMmapSize = 1 << 30
	}
	db, err := bbolt.Open(path, 0o600, bo)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w: %s", ErrInUse, path)
	}
	if err != nil {
		return nil, fmt.Errorf("archive: open %s: %w", path, err)
	}
	a := &Archive{db: db, path: path, maxMessage: o.MaxMessageSize}
	if a.maxMessage <= 0 {
		a.maxMessage = MaxMessageSize
	}
	if !o.ReadOnly {
		if err := a.initialize(); err != nil {
			db.Close()
			return nil, err
		}
	}
	if !o.ReadOnly && !o.NoFullText {
		a.text = newTextIndex(a)
	}
	return a, nil
}

func (a *Archive) initialize() error {
	ready := false
	a.db.View(func(tx *bbolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		ready = meta != nil && meta.Get(keyVersion) != nil && tx.Bucket(bucketAccounts) != nil
		if ready && (len(meta.Get(keyVersion)) != 1 || meta.Get(keyVersion)[0] > formatVersion) {
			ready = false // let the update below report it
		}
		return nil
	})
	if ready {
		return nil // no write, so no fsync, on every open
	}
	return a.db.Update(func(tx *bbolt.Tx) error {
		// A new archive keeps its totals from its first message; an old
		// one has them counted at its first Count.
		fresh := tx.Bucket(bucketIndex) == nil
		if fresh {
			if _, err := tx.CreateBucket(bucketCounts); err != nil {
				return wrapErr("", err)
			}
		}
		for _, name := range [][]byte{bucketMessages, bucketIndex, bucketByDate, bucketHashes, bucketAccounts, bucketMeta} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return wrapErr("", err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		if fresh {
			// Its records have their parents read as they are stored:
			// nothing for BackfillParents to read again.
			if err := meta.Put(keyParents, []byte{1}); err != nil {
				return wrapErr("", err)
			}
		}
		if v := meta.Get(keyVersion); v != nil {
			if len(v) != 1 {
				return errCorrupt
			}
			if v[0] > formatVersion {
				return ErrTooNew
			}
			return nil
		}
		return meta.Put(keyVersion, []byte{formatVersion})
	})
}

// Path is the archive's file name.
func (a *Archive) Path() string { return a.path }

// Close closes the file. Indexing stops after its current step; the next
// open goes on from there.
func (a *Archive) Close() error {
	if a.text != nil {
		if err := a.text.close(); err != nil {
			a.db.Close()
			return wrapErr("", err)
		}
	}
	return a.db.Close()
}

// Size is the file's size in bytes.
func (a *Archive) Size() (int64, error) {
	fi, err := os.Stat(a.path)
	if err != nil {
		return 0, wrapErr("", err)
	}
	return fi.Size(), nil
}

// opError is an error with the archive's prefix and what it was doing,
// said once: an error from deeper in the package already says "archive:",
// and "archive: import: archive: not an mbox file" says it twice.
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string {
	msg := strings.TrimPrefix(e.err.Error(), "archive: ")
	if e.op == "" {
		return "archive: " + msg
	}
	return "archive: " + e.op + ": " + msg
}

func (e *opError) Unwrap() error { return e.err }

// wrapErr says that err happened in the archive, doing op (may be empty).
func wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return &opError{op: op, err: err}
}
