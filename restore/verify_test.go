package restore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"popvault/archive"
	"popvault/fetch/pop3test/dovecot"
	"popvault/transport"
)

// A restore believes the server, not its record: messages recorded as
// restored that the mailbox no longer holds, with the same UIDVALIDITY
// (the person emptied it, or took a Gmail label off), are sent again,
// each once. Records without a UID (a server without UIDPLUS) are looked
// for in a listing of the mailbox, and get their UIDs recorded.
func TestRestoreChecksRecord(t *testing.T) {
	all := func(int) bool { return true }
	for name, c := range map[string]struct {
		hide   []string
		noUIDs bool
		remove func(i int) bool // by place in the mailbox
	}{
		"emptied":                      {remove: all},
		"some expunged":                {remove: func(i int) bool { return i%3 == 1 }},
		"nothing removed":              {remove: func(int) bool { return false }},
		"emptied, no UIDPLUS":          {hide: []string{"UIDPLUS"}, noUIDs: true, remove: all},
		"some expunged, no UIDPLUS":    {hide: []string{"UIDPLUS", "ESEARCH"}, noUIDs: true, remove: func(i int) bool { return i%2 == 0 }},
		"some expunged, ESEARCH alone": {hide: []string{"UIDPLUS"}, noUIDs: true, remove: func(i int) bool { return i == 0 }},
	} {
		t.Run(name, func(t *testing.T) {
			d := startIMAP(t, dovecot.Options{HideCaps: c.hide})
			a := newArchive(t)
			ids := fill(t, a, 6, 45)
			// Two without a Message-ID, of the same size: found by
			// their bytes.
			for _, body := range []string{"body one", "body two"} {
				st, err := a.Store([]archive.Incoming{{Account: "old", Raw: []byte("From: a@example.org\r\nSubject: no id\r\n\r\n" + body + "\r\n")}})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, st[0].ID)
			}
			n := len(ids)
			opts := options(d, "Restored")
			if c.noUIDs {
				opts.Target.Security, opts.Target.Port = transport.SecurityPlain, noAppendUID(t, d.IMAPAddr())
			}
			if sum, err := Run(context.Background(), a, ids, opts); err != nil || !sum.Complete() || sum.Sent != n {
				t.Fatalf("first run: %v, %+v", err, sum)
			}
			uv := uidValidity(t, d, "Restored")
			removed := expunge(t, d, "Restored", c.remove)
			if uidValidity(t, d, "Restored") != uv {
				t.Fatal("the UIDVALIDITY changed: this is not the case under test")
			}
			sum, err := Run(context.Background(), a, ids, opts)
			if err != nil || !sum.Complete() || sum.Gone != removed || sum.Sent != removed || sum.Already != n-removed {
				t.Fatalf("after %d were removed: %v, %+v", removed, err, sum)
			}
			if said := strings.Contains(sum.String(), "no longer there"); said != (removed > 0) {
				t.Errorf("%q", sum)
			}
			exactlyOnce(t, a, d, "Restored", ids)
			// Once more: nothing gone, nothing sent, and every record has
			// the UID the message has on the server.
			sum, err = Run(context.Background(), a, ids, opts)
			if err != nil || sum.Gone != 0 || sum.Sent != 0 || sum.Already != n {
				t.Fatalf("again: %v, %+v", err, sum)
			}
			rec, _, err := ledgerOf(a, opts.Target.Key()).start(uv)
			if err != nil {
				t.Fatal(err)
			}
			uidOf := map[string]imap.UID{}
			for _, m := range mailbox(t, d, "Restored") {
				uidOf[string(m.raw)] = m.uid
			}
			for _, id := range ids {
				raw, _ := a.Raw(id)
				if got, want := imap.UID(rec.Done[id]), uidOf[string(crlf(raw))]; got != want {
					t.Errorf("message %d has UID %d recorded, the server holds it as %d", id, got, want)
				}
			}
		})
	}
}

// expunge removes the messages of a mailbox whose place (from 0) remove
// picks, and says how many.
func expunge(t *testing.T, d *dovecot.Server, name string, remove func(int) bool) int {
	t.Helper()
	var uids imap.UIDSet
	for i, m := range mailbox(t, d, name) {
		if remove(i) {
			uids.AddNum(m.uid)
		}
	}
	if len(uids) == 0 {
		return 0
	}
	c := bob(t, d)
	defer c.Close()
	if _, err := c.Select(name, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(uids, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
	n, _ := uids.Nums()
	return len(n)
}

// BenchmarkRecheck measures checking the record against the server
// before a restore of 100,000 messages recorded as restored and all
// there: the whole run (sign in, STATUS, the record read, EXAMINE, UID
// SEARCH, nothing to send), and UID SEARCH alone over UIDs in one range
// and over every other UID (50,000 ranges, the worst a record can hold
// for that many: 125 commands).
func BenchmarkRecheck(b *testing.B) {
	const n = 100_000
	d := startIMAP(b, dovecot.Options{})
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = fmt.Appendf(nil, "Message-ID: <%d@bench.example>\r\nSubject: %d\r\n\r\nbody\r\n", i, i)
	}
	if err := d.DeliverTo(d.User2, msgs...); err != nil {
		b.Fatal(err)
	}
	uv := uidValidity(b, d, "INBOX") // Dovecot indexes the Maildir here
	a := newArchive(b)
	opts := options(d, "INBOX")
	if _, _, err := ledgerOf(a, opts.Target.Key()).start(uv); err != nil {
		b.Fatal(err)
	}
	done := make(map[uint64]uint32, n)
	ids := make([]uint64, n)
	uids := make([]imap.UID, n)
	for i := range n {
		ids[i], uids[i] = uint64(i+1), imap.UID(i+1)
		done[ids[i]] = uint32(uids[i])
	}
	if err := ledgerOf(a, opts.Target.Key()).mark(stateDone, done); err != nil {
		b.Fatal(err)
	}
	b.Run("run", func(b *testing.B) {
		for b.Loop() {
			sum, err := Run(context.Background(), a, ids, opts)
			if err != nil || sum.Already != n || sum.Gone != 0 {
				b.Fatalf("%v, %+v", err, sum)
			}
		}
	})
	r := &run{opts: opts, name: "INBOX"}
	r.opts.Target = r.opts.Target.withDefaults()
	c, err := r.dial(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer c.logout()
	if _, err := r.examine(c); err != nil {
		b.Fatal(err)
	}
	everyOther := make([]imap.UID, 0, n/2)
	for i := 0; i < n; i += 2 {
		everyOther = append(everyOther, uids[i])
	}
	for name, set := range map[string][]imap.UID{"UID SEARCH, one range": uids, "UID SEARCH, every other UID": everyOther} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				there, err := present(c, slices.Clone(set))
				if err != nil || len(there) != len(set) {
					b.Fatalf("%v: %d of %d there", err, len(there), len(set))
				}
			}
		})
	}
}

func TestUIDSets(t *testing.T) {
	many := make([]imap.UID, 0, 2*uidChunk+1)
	for i := range 2*uidChunk + 1 {
		many = append(many, imap.UID(2*i+1)) // every other: a range each
	}
	for _, c := range []struct {
		uids []imap.UID
		want []string
	}{
		{nil, nil},
		{[]imap.UID{5, 3, 4, 4, 9, 1}, []string{"1,3:5,9"}},
		{[]imap.UID{7}, []string{"7"}},
		{many, []string{setOf(many[:uidChunk]), setOf(many[uidChunk : 2*uidChunk]), setOf(many[2*uidChunk:])}},
	} {
		var got []string
		for _, s := range uidSets(slices.Clone(c.uids)) {
			got = append(got, s.String())
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%v: %q, want %q", c.uids, got, c.want)
		}
	}
}

func setOf(uids []imap.UID) string {
	var s []string
	for _, u := range uids {
		s = append(s, fmt.Sprint(u))
	}
	return strings.Join(s, ",")
}
