package archive

import (
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Summary is a message's index record: what a list shows, read without
// touching the body.
type Summary struct {
	ID             uint64
	Refs           []Ref // the accounts (and their POP UIDs) that brought it
	MessageID      string
	From, To, Cc   string // decoded header text
	Subject        string // decoded
	Date           time.Time
	Arrived        time.Time
	Size           int64 // raw bytes
	HasAttachments bool
	Read           bool
	SHA256         [32]byte
	// Parents are the Message-IDs of the messages it answers, eldest
	// first: its References, then its In-Reply-To (at most maxParents).
	// Records written before they were kept have none.
	Parents []string
	// Preview is the first words of the body, for the list (see
	// preview); records written before it was kept have none.
	Preview string
}

// maxParents bounds the ancestors a record keeps: threads need the
// nearest ones, and a hostile References header may list thousands.
const maxParents = 20

// Ref is one account's claim on a message.
type Ref struct {
	Account string
	UID     string // empty for imported mail
}

// InAccount reports whether account brought the message.
func (s *Summary) InAccount(account string) bool {
	for _, r := range s.Refs {
		if r.Account == account {
			return true
		}
	}
	return false
}

// errCorrupt is a record the archive cannot read: a damaged file, or one
// written by a program that is not popvault.
var errCorrupt = errors.New("archive: a record in the archive file is damaged (popvault verify says which messages; a backup of the file, or export and import into a new archive, saves the rest)")

const (
	flagAttachments = 1 << iota
	flagRead
)

// encode writes the record compactly: a version byte, flags, varint
// numbers and length-prefixed strings.
func (s *Summary) encode() []byte {
	b := make([]byte, 0, 128+len(s.From)+len(s.To)+len(s.Cc)+len(s.Subject)+len(s.MessageID)+len(s.Preview))
	b = append(b, 1)
	var flags byte
	if s.HasAttachments {
		flags |= flagAttachments
	}
	if s.Read {
		flags |= flagRead
	}
	b = append(b, flags)
	b = binary.AppendVarint(b, s.Date.Unix())
	b = binary.AppendVarint(b, s.Arrived.Unix())
	b = binary.AppendUvarint(b, uint64(s.Size))
	b = append(b, s.SHA256[:]...)
	for _, f := range []string{s.MessageID, s.From, s.To, s.Cc, s.Subject} {
		b = appendString(b, f)
	}
	b = binary.AppendUvarint(b, uint64(len(s.Refs)))
	for _, r := range s.Refs {
		b = appendString(appendString(b, r.Account), r.UID)
	}
	// Parents and then the preview come last, so that records without
	// them (older ones) read the same, and older readers skip them.
	if len(s.Parents) > 0 || s.Preview != "" {
		b = appendString(b, strings.Join(s.Parents, " "))
	}
	if s.Preview != "" {
		b = appendString(b, s.Preview)
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// decodeSummary reads a record; it copies everything out of b, which may
// be bbolt's memory.
func decodeSummary(id uint64, b []byte) (*Summary, error) {
	d := decoder{b: b}
	if d.byte() != 1 {
		return nil, errCorrupt
	}
	s := &Summary{ID: id}
	flags := d.byte()
	s.HasAttachments, s.Read = flags&flagAttachments != 0, flags&flagRead != 0
	s.Date = time.Unix(d.varint(), 0)
	s.Arrived = time.Unix(d.varint(), 0)
	s.Size = int64(d.uvarint())
	copy(s.SHA256[:], d.bytes(32))
	for _, f := range []*string{&s.MessageID, &s.From, &s.To, &s.Cc, &s.Subject} {
		*f = d.string()
	}
	n := d.uvarint()
	if n > uint64(len(b)) {
		return nil, errCorrupt
	}
	s.Refs = make([]Ref, n)
	for i := range s.Refs {
		s.Refs[i] = Ref{Account: d.string(), UID: d.string()}
	}
	if !d.bad && len(d.b) > 0 {
		if p := d.string(); p != "" {
			s.Parents = strings.Fields(p)
		}
	}
	if !d.bad && len(d.b) > 0 {
		s.Preview = d.string()
	}
	if d.bad {
		return nil, errCorrupt
	}
	return s, nil
}

// countFieldsSize reads only the read flag, the size and the accounts of
// a record, without copying: counting 100,000 messages must not decode
// them all.
func countFieldsSize(b []byte, accounts *[][]byte) (read bool, size int64, err error) {
	d := decoder{b: b}
	if d.byte() != 1 {
		return false, 0, errCorrupt
	}
	read = d.byte()&flagRead != 0
	d.varint()
	d.varint()
	size = int64(d.uvarint())
	d.bytes(32)
	for range 5 {
		d.bytes(d.uvarint())
	}
	n := d.uvarint()
	*accounts = (*accounts)[:0]
	for i := uint64(0); i < n && !d.bad; i++ {
		*accounts = append(*accounts, d.bytes(d.uvarint()))
		d.bytes(d.uvarint())
	}
	if d.bad {
		return false, 0, errCorrupt
	}
	return read, size, nil
}

type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.bad = true
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes(n uint64) []byte {
	if n > uint64(len(d.b)) {
		d.bad = true
		d.b = nil
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string { return string(d.bytes(d.uvarint())) }

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// dateKey orders by date, then id; the offset keeps dates before 1970
// sorted before later ones.
func dateKey(date time.Time, id uint64) []byte {
	k := binary.BigEndian.AppendUint64(nil, uint64(date.Unix())+1<<63)
	return binary.BigEndian.AppendUint64(k, id)
}

// idFromDateKey reads the id of a dateKey; a key of another length is
// damage.
func idFromDateKey(k []byte) (uint64, error) {
	if len(k) != 16 {
		return 0, errCorrupt
	}
	return binary.BigEndian.Uint64(k[8:]), nil
}

// idOf reads a key of the messages and index buckets; a key of another
// length is damage.
func idOf(k []byte) (uint64, error) {
	if len(k) != 8 {
		return 0, errCorrupt
	}
	return binary.BigEndian.Uint64(k), nil
}

func itoa(i int) string { return strconv.Itoa(i) }
