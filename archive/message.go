package archive

import (
	"fmt"

	"go.etcd.io/bbolt"
)

// Raw returns a message's bytes exactly as the server sent them.
func (a *Archive) Raw(id uint64) ([]byte, error) {
	var comp []byte
	err := a.db.View(func(tx *bbolt.Tx) error {
		v := tx.Bucket(bucketMessages).Get(u64(id))
		if v == nil {
			return fmt.Errorf("%w: message %d", ErrNotFound, id)
		}
		comp = append([]byte(nil), v...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return decompress(comp)
}

// SetRead marks a message read or unread.
func (a *Archive) SetRead(id uint64, read bool) error {
	return a.setRead([]uint64{id}, read)
}

// setRead marks messages read or unread in one transaction.
func (a *Archive) setRead(ids []uint64, read bool) error {
	if len(ids) == 0 {
		return nil
	}
	return a.update(func(tx *bbolt.Tx) error {
		for _, id := range ids {
			s, err := getRecord(tx, id)
			if err != nil {
				return err
			}
			if s.Read == read {
				continue
			}
			if err := tally(tx, s, -1); err != nil {
				return err
			}
			s.Read = read
			if err := tally(tx, s, 1); err != nil {
				return err
			}
			if err := tx.Bucket(bucketIndex).Put(u64(id), s.encode()); err != nil {
				return err
			}
		}
		return nil
	})
}

// Delete removes a message from the archive. Its UIDs stay recorded, so a
// later fetch does not bring it back, and a copy left on a server stays
// there: a fetch deletes a server copy only while the archive holds the
// message. It fails with ErrHeld while a fetch is deleting its server copy.
func (a *Archive) Delete(id uint64) error {
	return a.deleting(func(tx *bbolt.Tx, mayDelete func(uint64) error) error {
		if err := mayDelete(id); err != nil {
			return err
		}
		s, err := getRecord(tx, id)
		if err != nil {
			return err
		}
		return deleteMessage(tx, s)
	})
}

func deleteMessage(tx *bbolt.Tx, s *Summary) error {
	if err := markDirty(tx, s.ID); err != nil {
		return err
	}
	if err := tally(tx, s, -1); err != nil {
		return err
	}
	for _, step := range []struct {
		bucket, key []byte
	}{
		{bucketMessages, u64(s.ID)},
		{bucketIndex, u64(s.ID)},
		{bucketByDate, dateKey(s.Date, s.ID)},
		{bucketHashes, s.SHA256[:]},
	} {
		if err := tx.Bucket(step.bucket).Delete(step.key); err != nil {
			return err
		}
	}
	return nil
}
