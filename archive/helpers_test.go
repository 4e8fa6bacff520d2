package archive

import "go.etcd.io/bbolt"

type bboltTx = bbolt.Tx
