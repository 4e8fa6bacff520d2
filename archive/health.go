package archive

import (
	"fmt"

	"go.etcd.io/bbolt"
)

// keyHealth holds an account's record of fetches, beside its settings:
// removing the account removes it too.
var keyHealth = []byte("health")

// ChangeHealth replaces an account's record of fetches (opaque to the
// archive: the fetch package's JSON) with what change makes of the stored
// one (nil when there is none), in one transaction, so that two fetches
// ending at once never lose one's attempt. An account the archive does
// not know is ErrNotFound: a record outliving its account would be read
// back by one added later under the same name.
func (a *Archive) ChangeHealth(account string, change func(old []byte) ([]byte, error)) error {
	return a.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAccounts).Bucket([]byte(account))
		if b == nil || b.Get(keySettings) == nil {
			return fmt.Errorf("%w: account %q", ErrNotFound, account)
		}
		var old []byte
		if v := b.Get(keyHealth); v != nil {
			old = append([]byte(nil), v...)
		}
		rec, err := change(old)
		if err != nil || rec == nil {
			return err
		}
		return b.Put(keyHealth, rec)
	})
}

// Health returns an account's record of fetches; nil when it has none.
func (a *Archive) Health(account string) ([]byte, error) {
	var out []byte
	err := a.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAccounts).Bucket([]byte(account))
		if b == nil || b.Get(keySettings) == nil {
			return fmt.Errorf("%w: account %q", ErrNotFound, account)
		}
		if v := b.Get(keyHealth); v != nil {
			out = append([]byte(nil), v...)
		}
		return nil
	})
	return out, err
}
