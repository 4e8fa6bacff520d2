package archive

import (
	"fmt"

	"go.etcd.io/bbolt"
)

// keyServer holds what fetches learnt of an account's server (opaque to
// the archive: the fetch package's JSON), beside its settings: removing
// the account removes it too. It is no setting: the account dialog never
// shows or writes it.
var keyServer = []byte("server")

// Server returns what fetches learnt of the account's server; nil when
// nothing was, or the account is gone.
func (c Account) Server() ([]byte, error) {
	var out []byte
	err := c.a.db.View(func(tx *bbolt.Tx) error {
		if b := tx.Bucket(bucketAccounts).Bucket([]byte(c.name)); b != nil {
			if v := b.Get(keyServer); v != nil {
				out = append([]byte(nil), v...)
			}
		}
		return nil
	})
	return out, wrapErr("server", err)
}

// PutServer replaces what fetches learnt of the account's server; nil
// forgets it. An account the archive does not know is ErrNotFound.
func (c Account) PutServer(learnt []byte) error {
	return c.a.update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketAccounts).Bucket([]byte(c.name))
		if b == nil || b.Get(keySettings) == nil {
			return fmt.Errorf("%w: account %q", ErrNotFound, c.name)
		}
		if learnt == nil {
			return b.Delete(keyServer)
		}
		return b.Put(keyServer, learnt)
	})
}
