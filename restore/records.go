package restore

import (
	"encoding/binary"
	"errors"

	"popvault/archive"
)

// A restore run again, after a kill or a failure, sends each message once
// because it keeps records in the archive (archive.Records) of which
// message went where. A target is a mailbox on a server for a user
// (Target.Key); its records hold the mailbox's UIDVALIDITY and, for each
// message, whether it is pending (about to be sent, or sent and not
// confirmed: the server must be asked) or done (with its UID there, when
// the server said).
//
// The encoding is restore's own and on disk since its first version: the
// service "restores", the target's value "uidvalidity" (4 bytes,
// big-endian), and per message a state byte and a UID (4 bytes,
// big-endian).
const recordsService = "restores"

const valueUIDValidity = "uidvalidity"

// A message's state in a target's records.
const (
	statePending = 'P'
	stateDone    = 'D'
)

var errCorruptRecord = errors.New("restore: a record in the archive is damaged")

// record is what the archive knows of one target.
type record struct {
	UIDValidity uint32
	Done        map[uint64]uint32 // message → its UID on the server (0: unknown)
	Pending     []uint64          // sent or about to be, unconfirmed
}

// ledger is one target's records in an archive.
type ledger struct {
	recs   archive.Records
	target string
}

func ledgerOf(a *archive.Archive, target string) ledger {
	return ledger{recs: a.Records(recordsService), target: target}
}

// start opens the record of the target for a mailbox with this
// UIDVALIDITY. A record for another UIDVALIDITY means the mailbox was
// recreated since: it is emptied, and restarted reports true, so that the
// restore says so and starts over rather than mix the two.
func (l ledger) start(uidValidity uint32) (rec record, restarted bool, err error) {
	rec = record{UIDValidity: uidValidity, Done: map[uint64]uint32{}}
	err = l.recs.Update(l.target, func(t *archive.Target) error {
		if v := t.Value(valueUIDValidity); len(v) == 4 && binary.BigEndian.Uint32(v) != uidValidity {
			restarted = true
			if err := t.Clear(); err != nil {
				return err
			}
		}
		if err := t.SetValue(valueUIDValidity, binary.BigEndian.AppendUint32(nil, uidValidity)); err != nil {
			return err
		}
		return t.Each(func(id uint64, v []byte) error {
			if len(v) != 5 {
				return errCorruptRecord
			}
			switch v[0] {
			case stateDone:
				rec.Done[id] = binary.BigEndian.Uint32(v[1:])
			case statePending:
				rec.Pending = append(rec.Pending, id)
			}
			return nil
		})
	})
	if err != nil {
		return record{}, false, err
	}
	return rec, restarted, nil
}

// mark records messages as pending (uid ignored) or done (with their
// UIDs), in one durable commit: a message is marked pending before its
// APPEND is sent, and done only once the server said OK. forget takes
// pending marks back for messages the server refused.
func (l ledger) mark(state byte, uids map[uint64]uint32) error {
	if len(uids) == 0 {
		return nil
	}
	values := make(map[uint64][]byte, len(uids))
	buf := make([]byte, 0, 5*len(uids)) // one allocation for them all
	for id, uid := range uids {
		start := len(buf)
		buf = binary.BigEndian.AppendUint32(append(buf, state), uid)
		values[id] = buf[start:len(buf):len(buf)]
	}
	return l.recs.Update(l.target, func(t *archive.Target) error {
		return t.Put(values)
	})
}

// forget drops the marks of messages the server refused or never got:
// they are sent again next time.
func (l ledger) forget(ids []uint64) error {
	if len(ids) == 0 {
		return nil
	}
	return l.recs.Update(l.target, func(t *archive.Target) error {
		return t.Delete(ids...)
	})
}
