package archive

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// TestPreview: the list's line of text is the body's first words: of the
// text part, of the HTML where there is none, of a stub newsletter's
// text part (its text part is what it sent), never a reply's quote.
func TestPreview(t *testing.T) {
	for name, tc := range map[string]struct{ raw, want, not string }{
		"plain": {raw: "Subject: s\r\n\r\nYour order 4711 has shipped.\r\nIt arrives Monday.\r\n", want: "Your order 4711 has shipped. It arrives Monday."},
		"html only": {raw: "Subject: s\r\nContent-Type: text/html\r\n\r\n<style>p{}</style><p>Hello <b>Ann</b>,</p><p>the meeting moved.</p>\r\n",
			want: "Hello Ann", not: "p{}"},
		"reply": {raw: "Subject: Re: s\r\n\r\nYes, Tuesday works.\r\n\r\nOn Mon, Ann wrote:\r\n> Does Tuesday work?\r\n", want: "Yes, Tuesday works.", not: "Does Tuesday"},
		"attachment only": {raw: "Subject: s\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\n%PDF secret\r\n--b--\r\n",
			want: "", not: "PDF"},
		"long": {raw: "Subject: s\r\n\r\n" + strings.Repeat("word ", 500) + "\r\n", want: strings.TrimSpace(strings.Repeat("word ", 32))},
		// Quoted lines, however many, do not use up what is cleaned.
		"below a long quote": {raw: "Subject: Re: s\r\n\r\nOn Mon, Ann wrote:\r\n" + strings.Repeat("> quoted line of the earlier mail\r\n", 300) + "\r\nThanks, see you then.\r\n",
			want: "Thanks, see you then.", not: "quoted"},
		// What is cleaned is cut between characters, never inside one.
		"cut at a character": {raw: "Subject: s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + strings.Repeat("\x01", previewKeep-1) + "\u00e9t\u00e9\r\n",
			want: "", not: "\uFFFD"},
	} {
		t.Run(name, func(t *testing.T) {
			got := preview([]byte(tc.raw))
			if !strings.HasPrefix(got, tc.want) || tc.want == "" && got != "" || tc.not != "" && strings.Contains(got, tc.not) {
				t.Errorf("preview %q, want it to begin %q (and not hold %q)", got, tc.want, tc.not)
			}
			if n := len([]rune(got)); n > previewRunes {
				t.Errorf("preview of %d characters", n)
			}
		})
	}
}

// TestPreviewKept: the preview is kept in the record from the moment the
// message is stored; a record written before previews were kept reads
// with none, and the index's rebuild (popvault reindex) fills it in.
func TestPreviewKept(t *testing.T) {
	a := openTemp(t)
	st, err := a.Store([]Incoming{{Account: "a", UID: "1", Raw: []byte("Subject: s\r\nIn-Reply-To: <p@x>\r\n\r\nThe order number is 4711.\r\n")}})
	if err != nil {
		t.Fatal(err)
	}
	id := st[0].ID
	if s, err := a.Summary(id); err != nil || s.Preview != "The order number is 4711." || len(s.Parents) != 1 {
		t.Fatalf("stored: preview %q, parents %v, %v", s.Preview, s.Parents, err)
	}
	// As an older popvault wrote it: no preview after the parents.
	err = a.db.Update(func(tx *bbolt.Tx) error {
		s, err := getRecord(tx, id)
		if err != nil {
			return err
		}
		s.Preview = ""
		return tx.Bucket(bucketIndex).Put(u64(id), s.encode())
	})
	if err != nil {
		t.Fatal(err)
	}
	if s, err := a.Summary(id); err != nil || s.Preview != "" || len(s.Parents) != 1 {
		t.Fatalf("an old record: preview %q, parents %v, %v", s.Preview, s.Parents, err)
	}
	if err := a.SearchIndex().Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s, err := a.Summary(id); err != nil || s.Preview != "The order number is 4711." {
		t.Fatalf("after reindex: preview %q, %v", s.Preview, err)
	}
}

// TestRecordWithoutParentsKeepsPreview: a record with a preview and no
// parents reads back both as written.
func TestRecordWithoutParentsKeepsPreview(t *testing.T) {
	s := &Summary{ID: 7, Subject: "s", Preview: "hello", Refs: []Ref{{Account: "a", UID: "1"}}}
	got, err := decodeSummary(7, s.encode())
	if err != nil || got.Preview != "hello" || len(got.Parents) != 0 {
		t.Fatalf("%+v %v", got, err)
	}
}

// BenchmarkExtractPreview measures what the preview adds to making a
// message's record at store time (extract), for a short text message and
// for a newsletter whose text part is a stub (its HTML read as well).
func BenchmarkExtractPreview(b *testing.B) {
	raws := map[string][]byte{
		"text":       msg("hello", "Mon, 2 Jan 2023 10:00:00 +0000", strings.Repeat("A line of a short message.\r\n", 20)),
		"newsletter": []byte(stub(b)),
	}
	for name, raw := range raws {
		b.Run(name+"/record", func(b *testing.B) {
			for range b.N {
				extract(raw, time.Time{})
			}
		})
		b.Run(name+"/preview", func(b *testing.B) {
			for range b.N {
				preview(raw)
			}
		})
	}
}
