package archive

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"time"

	"go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Account is what the archive keeps of one account: its settings, opaque
// to the archive, and the POP UIDs it has stored. The account's messages
// are the archive's (List with Query.Account).
type Account struct {
	a    *Archive
	name string
}

// Account returns what the archive keeps of the account named name,
// whether or not it has anything yet.
func (a *Archive) Account(name string) Account { return Account{a: a, name: name} }

// UIDState is what the archive remembers of one POP UID.
type UIDState struct {
	FirstSeen time.Time // when it was first stored; decides "delete after N days"
	ID        uint64    // the message it brought
}

// accountUIDs returns the account's UID bucket, creating it if asked.
func accountUIDs(tx *bbolt.Tx, account string, create bool) (*bbolt.Bucket, error) {
	accts := tx.Bucket(bucketAccounts)
	if !create {
		b := accts.Bucket([]byte(account))
		if b == nil {
			return nil, nil
		}
		return b.Bucket(bucketUIDs), nil
	}
	b, err := accts.CreateBucketIfNotExists([]byte(account))
	if err != nil {
		return nil, err
	}
	return b.CreateBucketIfNotExists(bucketUIDs)
}

// UIDs returns every UID the account has stored. A fetch downloads what
// the server lists and this does not hold.
func (c Account) UIDs() (map[string]UIDState, error) {
	a, account := c.a, c.name
	out := map[string]UIDState{}
	err := a.db.View(func(tx *bbolt.Tx) error {
		b, _ := accountUIDs(tx, account, false)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(v) != 16 {
				return errCorrupt
			}
			out[string(k)] = UIDState{
				FirstSeen: time.Unix(int64(binary.BigEndian.Uint64(v)), 0),
				ID:        binary.BigEndian.Uint64(v[8:]),
			}
			return nil
		})
	})
	if err != nil {
		return nil, wrapErr("uids", err)
	}
	return out, nil
}

// ForgetUIDs drops UIDs the server no longer lists, so the set does not
// grow forever; the messages stay.
func (c Account) ForgetUIDs(uids []string) error {
	a, account := c.a, c.name
	return a.update(func(tx *bbolt.Tx) error {
		b, _ := accountUIDs(tx, account, false)
		if b == nil {
			return nil
		}
		for _, u := range uids {
			if err := b.Delete([]byte(u)); err != nil {
				return err
			}
		}
		return nil
	})
}

// PutSettings stores the account's settings, opaque to the archive (the
// fetch package's JSON). They must never hold a password.
func (c Account) PutSettings(settings []byte) error {
	a, account := c.a, c.name
	if account == "" {
		return fmt.Errorf("archive: account name is empty")
	}
	return a.update(func(tx *bbolt.Tx) error {
		b, err := tx.Bucket(bucketAccounts).CreateBucketIfNotExists([]byte(account))
		if err != nil {
			return err
		}
		return b.Put(keySettings, settings)
	})
}

// ReadOnly reports whether the archive was opened read-only: settings
// cannot be changed then.
func (a *Archive) ReadOnly() bool { return a.db.IsReadOnly() }

// ChangeSettings replaces the account's settings with what change makes of
// the stored ones (nil when the account has none yet), in one
// transaction: two changes made at once never undo each other, and a
// check of what is stored (a name already taken, an id already given)
// holds when the write happens. change returning nil bytes leaves the
// settings as they are; an error from it is returned as it is.
func (c Account) ChangeSettings(change func(old []byte) ([]byte, error)) error {
	a, account := c.a, c.name
	if account == "" {
		return fmt.Errorf("archive: account name is empty")
	}
	var changeErr error
	err := a.update(func(tx *bbolt.Tx) error {
		var old []byte
		if b := tx.Bucket(bucketAccounts).Bucket([]byte(account)); b != nil {
			if v := b.Get(keySettings); v != nil {
				old = append([]byte(nil), v...)
			}
		}
		settings, err := change(old)
		if err != nil {
			changeErr = err
			return err
		}
		if settings == nil {
			return nil
		}
		b, err := tx.Bucket(bucketAccounts).CreateBucketIfNotExists([]byte(account))
		if err != nil {
			return err
		}
		return b.Put(keySettings, settings)
	})
	if changeErr != nil {
		return changeErr
	}
	return err
}

// Settings returns the account's settings, or ErrNotFound.
func (c Account) Settings() ([]byte, error) {
	a, account := c.a, c.name
	var out []byte
	err := a.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAccounts).Bucket([]byte(account))
		if b == nil || b.Get(keySettings) == nil {
			return fmt.Errorf("%w: account %q", ErrNotFound, account)
		}
		out = append([]byte(nil), b.Get(keySettings)...)
		return nil
	})
	return out, err
}

// Accounts lists the accounts that have settings, by name.
func (a *Archive) Accounts() ([]string, error) {
	var names []string
	err := a.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketAccounts).ForEachBucket(func(k []byte) error {
			if tx.Bucket(bucketAccounts).Bucket(k).Get(keySettings) != nil {
				names = append(names, string(k))
			}
			return nil
		})
	})
	sort.Strings(names)
	return names, err
}

// What Remove does with an account's messages.
type MailChoice int

const (
	// KeepMail keeps the messages, still listed under the account's name.
	KeepMail MailChoice = iota + 1
	// DeleteMail deletes each message that no other account claims.
	DeleteMail
)

// Remove forgets the account's settings and UIDs, and keeps or deletes its
// messages as mail says.
func (c Account) Remove(mail MailChoice) error {
	a, account := c.a, c.name
	if mail != KeepMail && mail != DeleteMail {
		return fmt.Errorf("archive: removing account %q: keep or delete its mail? (got %d)", account, mail)
	}
	var ids []uint64
	if mail == DeleteMail {
		err := a.db.View(func(tx *bbolt.Tx) error {
			return tx.Bucket(bucketIndex).ForEach(func(k, v []byte) error {
				id, err := idOf(k)
				if err != nil {
					return err
				}
				s, err := decodeSummary(id, v)
				if err == nil && s.InAccount(account) {
					ids = append(ids, s.ID)
				}
				return nil
			})
		})
		if err != nil {
			return wrapErr("", err)
		}
	}
	return a.deleting(func(tx *bbolt.Tx, mayDelete func(uint64) error) error {
		for _, id := range ids {
			if err := dropRef(tx, id, account, mayDelete); err != nil {
				return err
			}
		}
		err := tx.Bucket(bucketAccounts).DeleteBucket([]byte(account))
		if errors.Is(err, bolterrors.ErrBucketNotFound) {
			return fmt.Errorf("%w: account %q", ErrNotFound, account)
		}
		return err
	})
}

// dropRef removes account's claim on a message and deletes the message
// when no claim is left, if mayDelete allows.
func dropRef(tx *bbolt.Tx, id uint64, account string, mayDelete func(uint64) error) error {
	s, err := getRecord(tx, id)
	if err != nil {
		return err
	}
	old := *s
	var refs []Ref
	for _, r := range s.Refs {
		if r.Account != account {
			refs = append(refs, r)
		}
	}
	if len(refs) > 0 {
		if err := tx.Bucket(bucketByDate).Delete(dateKey(s.Date, id)); err != nil {
			return err
		}
		s.Refs = refs
		if err := markDirty(tx, id); err != nil {
			return err
		}
		return putRecord(tx, &old, s)
	}
	if err := mayDelete(id); err != nil {
		return err
	}
	return deleteMessage(tx, s)
}

func (a *Archive) update(f func(tx *bbolt.Tx) error) error {
	if err := a.db.Update(f); err != nil {
		return wrapErr("", err)
	}
	a.textChanged()
	return nil
}
