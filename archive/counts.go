package archive

import (
	"bytes"
	"encoding/binary"
	"slices"

	"go.etcd.io/bbolt"
)

// bucketCounts keeps each account's totals (under "" all mail's), in
// the same transactions as the records they count, so that counting
// costs the same at a million messages as at ten. An archive written by
// a popvault that did not keep them has no such bucket until Count
// builds it.
var bucketCounts = []byte("counts")

// tally adds a record's share of the totals (sign 1) or takes it away
// (sign -1): one message to all mail and to each account that brought
// it. Where the archive keeps no totals yet, it does nothing.
func tally(tx *bbolt.Tx, s *Summary, sign int) error {
	b := tx.Bucket(bucketCounts)
	if b == nil || s == nil {
		return nil
	}
	add := func(account string) error {
		c := getCounts(b, account)
		c.Total += sign
		c.Bytes += int64(sign) * s.Size
		if !s.Read {
			c.Unread += sign
		}
		return putCounts(b, account, c)
	}
	if err := add(""); err != nil {
		return err
	}
	for i, r := range s.Refs {
		if slices.ContainsFunc(s.Refs[:i], func(o Ref) bool { return o.Account == r.Account }) {
			continue
		}
		if err := add(r.Account); err != nil {
			return err
		}
	}
	return nil
}

func getCounts(b *bbolt.Bucket, account string) Counts {
	v := b.Get(countsKey(account))
	var c Counts
	total, n := binary.Varint(v)
	if n <= 0 {
		return c
	}
	unread, m := binary.Varint(v[n:])
	size, _ := binary.Varint(v[n+max(m, 0):])
	return Counts{Total: int(total), Unread: int(unread), Bytes: size}
}

func putCounts(b *bbolt.Bucket, account string, c Counts) error {
	if c == (Counts{}) && account != "" {
		return b.Delete(countsKey(account))
	}
	v := binary.AppendVarint(nil, int64(c.Total))
	v = binary.AppendVarint(v, int64(c.Unread))
	return b.Put(countsKey(account), binary.AppendVarint(v, c.Bytes))
}

// countsKey: the empty key is not allowed, so every key has a prefix.
func countsKey(account string) []byte { return append([]byte{'a'}, account...) }

// kept reads the totals the archive keeps, and whether it keeps them.
func kept(tx *bbolt.Tx) (map[string]Counts, bool) {
	b := tx.Bucket(bucketCounts)
	if b == nil {
		return nil, false
	}
	out := map[string]Counts{"": {}}
	b.ForEach(func(k, v []byte) error {
		if len(k) == 0 {
			return nil // not a key countsKey makes: damage, recounted below
		}
		out[string(k[1:])] = getCounts(b, string(k[1:]))
		return nil
	})
	return out, true
}

// recountTx counts every record in tx, as Count did before totals were
// kept. Every trimRecords records it calls giveBack, if not nil: at a
// million messages the records are hundreds of megabytes of pages.
func recountTx(tx *bbolt.Tx, giveBack func()) (map[string]Counts, error) {
	out := map[string]Counts{"": {}}
	var accounts [][]byte
	n := 0
	err := tx.Bucket(bucketIndex).ForEach(func(k, v []byte) error {
		if n++; n%trimRecords == 0 && giveBack != nil {
			giveBack()
		}
		read, size, err := countFieldsSize(v, &accounts)
		if err != nil {
			return err
		}
		add := func(name []byte) {
			c := out[string(name)]
			c.Total++
			c.Bytes += size
			if !read {
				c.Unread++
			}
			out[string(name)] = c
		}
		add(nil)
		for i, a := range accounts {
			if !slices.ContainsFunc(accounts[:i], func(b []byte) bool { return bytes.Equal(a, b) }) {
				add(a)
			}
		}
		return nil
	})
	return out, err
}

// trimRecords is how many records a scan of them all reads between
// giving the file's pages back.
var trimRecords = 50_000

// keep writes totals as the archive's kept ones, replacing any.
func keep(tx *bbolt.Tx, counts map[string]Counts) error {
	if tx.Bucket(bucketCounts) != nil {
		if err := tx.DeleteBucket(bucketCounts); err != nil {
			return err
		}
	}
	b, err := tx.CreateBucket(bucketCounts)
	if err != nil {
		return err
	}
	for account, c := range counts {
		if err := putCounts(b, account, c); err != nil {
			return err
		}
	}
	return nil
}
