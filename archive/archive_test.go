package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func openTemp(t testing.TB) *Archive {
	t.Helper()
	a, err := Open(filepath.Join(t.TempDir(), "archive.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func reopen(t *testing.T, a *Archive) *Archive {
	t.Helper()
	path := a.Path()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func msg(subject, date, body string) []byte {
	return []byte("From: Ada <ada@example.org>\r\nTo: bob@example.org\r\nSubject: " + subject +
		"\r\nDate: " + date + "\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@x>\r\n\r\n" + body)
}

// Raw bytes come back exactly, across reopening after every write.
func TestStoreByteExactAcrossReopen(t *testing.T) {
	a := openTemp(t)
	bodies := [][]byte{
		msg("plain", "Mon, 2 Jan 2023 10:00:00 +0000", "hello\r\n"),
		[]byte("no header at all, bare LF\n\x00NUL\r\r\n"),
		[]byte(strings.Repeat("x", 1<<20)),
		{},
	}
	for i, raw := range bodies {
		st, err := a.Store([]Incoming{{Account: "home", UID: fmt.Sprint("u", i), Raw: raw}})
		if err != nil {
			t.Fatal(err)
		}
		a = reopen(t, a)
		got, err := a.Raw(st[0].ID)
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("message %d: %d bytes back, %v", i, len(got), err)
		}
	}
	uids, err := a.Account("home").UIDs()
	if err != nil || len(uids) != len(bodies) {
		t.Fatalf("UIDs = %v, %v", uids, err)
	}
}

func TestDedupeAndKnownUIDs(t *testing.T) {
	a := openTemp(t)
	raw := msg("same", "Mon, 2 Jan 2023 10:00:00 +0000", "x\r\n")
	st, err := a.Store([]Incoming{
		{Account: "home", UID: "1", Raw: raw},
		{Account: "work", UID: "A", Raw: raw},
		{Account: "home", UID: "1", Raw: raw},
	})
	if err != nil {
		t.Fatal(err)
	}
	if st[0].Duplicate || !st[1].Duplicate || !st[2].Known || st[0].ID != st[1].ID {
		t.Fatalf("stored %+v", st)
	}
	s, _ := a.Summary(st[0].ID)
	if len(s.Refs) != 2 || !s.InAccount("work") {
		t.Fatalf("refs %+v", s.Refs)
	}
	counts, _ := a.Count()
	if counts[""].Total != 1 || counts["home"].Total != 1 || counts["work"].Unread != 1 {
		t.Fatalf("counts %v", counts)
	}
	if u, _ := a.Account("work").UIDs(); u["A"].ID != st[0].ID {
		t.Fatalf("work UIDs %v", u)
	}
}

// TestCountsKept: after every kind of change the kept totals equal a
// count of every record, and an archive without them (an older
// popvault's) gets them counted once.
func TestCountsKept(t *testing.T) {
	a := openTemp(t)
	check := func(when string) {
		t.Helper()
		var want map[string]Counts
		a.db.View(func(tx *bboltTx) error {
			var err error
			want, err = recountTx(tx, nil)
			return err
		})
		got, err := a.Count()
		if err != nil || !maps.Equal(got, want) {
			t.Fatalf("%s: kept %v, %v; counted %v", when, got, err, want)
		}
	}
	var in []Incoming
	for i := range 23 {
		in = append(in, Incoming{Account: []string{"home", "work", "old"}[i%3], UID: fmt.Sprint(i), Raw: msg(fmt.Sprint("m", i), "Mon, 2 Jan 2023 10:00:00 +0000", "x\r\n")})
	}
	st, err := a.Store(in)
	if err != nil {
		t.Fatal(err)
	}
	check("stored")
	if got, _ := a.Count(); got[""].Total != 23 || got[""].Unread != 23 || got["work"].Total != 8 || got[""].Bytes == 0 {
		t.Fatalf("totals %v", got)
	}
	a.Store([]Incoming{{Account: "work", UID: "again", Raw: in[0].Raw}, {Account: "home", UID: "dup", Raw: in[0].Raw}}) // one message, two accounts
	check("the same message from another account")
	a.SetRead(st[4].ID, true)
	a.SetRead(st[0].ID, true)
	check("read")
	a.SetRead(st[4].ID, false)
	check("unread again")
	if err := a.Delete(st[5].ID); err != nil {
		t.Fatal(err)
	}
	check("deleted")
	// Imported: an mbox with a new message and one already stored, and a
	// Maildir message marked read.
	before, _ := a.Count()
	dir := t.TempDir()
	mbox := "From x Mon Jan  2 10:00:00 2023\n" + string(msg("imported", "Mon, 2 Jan 2023 10:00:00 +0000", "i\n")) + "\n" +
		"From x Mon Jan  2 10:00:00 2023\n" + string(in[1].Raw) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "in.mbox"), []byte(mbox), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Import(FormatMbox, filepath.Join(dir, "in.mbox"), "old"); err != nil {
		t.Fatal(err)
	}
	check("imported from mbox")
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(dir, "md", sub), 0o700)
	}
	os.WriteFile(filepath.Join(dir, "md", "cur", "1.x:2,S"), msg("seen", "Mon, 2 Jan 2023 10:00:00 +0000", "s\r\n"), 0o600)
	if _, err := a.Import(FormatMaildir, filepath.Join(dir, "md"), ""); err != nil {
		t.Fatal(err)
	}
	check("imported from Maildir, read")
	if after, _ := a.Count(); after[""].Total != before[""].Total+2 || after[""].Unread != before[""].Unread+1 {
		t.Fatalf("imports: totals %v, before %v", after[""], before[""])
	}
	if err := a.Account("old").Remove(KeepMail); err != nil {
		t.Fatal(err)
	}
	check("an account removed, its mail kept")
	if err := a.Account("work").Remove(DeleteMail); err != nil {
		t.Fatal(err)
	}
	check("an account removed with its mail (one message stays, home's too)")
	// An archive from before totals were kept.
	a.db.Update(func(tx *bboltTx) error { return tx.DeleteBucket(bucketCounts) })
	a.Store([]Incoming{{Account: "new", UID: "n", Raw: msg("n", "Mon, 2 Jan 2023 10:00:00 +0000", "n\r\n")}})
	check("counted at last")
	a.SetRead(st[1].ID, true)
	check("kept since")
	// Totals gone wrong (an older popvault wrote here): verify says so
	// and puts them right.
	a.db.Update(func(tx *bboltTx) error { return putCounts(tx.Bucket(bucketCounts), "", Counts{Total: 1}) })
	rep, err := a.Verify(nil)
	if err != nil || rep.OK() || !strings.Contains(strings.Join(rep.Problems, "\n"), "differ from a count") {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	check("repaired by verify")
	if rep, err := a.Verify(nil); err != nil || !rep.OK() {
		t.Fatalf("verify after the repair: %+v %v", rep, err)
	}
}

func TestIndexExtraction(t *testing.T) {
	tests := map[string]struct {
		raw                  string
		from, subject, msgID string
		date                 string // RFC 3339, or "" for the arrival time
		attachments          bool
	}{
		"encoded words and charsets": {
			raw:  "From: =?ISO-8859-1?Q?Andr=E9?= <a@x>\r\nSubject: =?UTF-8?B?w6l0w6k=?= =?windows-1252?Q?=80uro?=\r\nDate: Tue, 3 Jan 2023 09:00:00 +0100\r\nMessage-ID: <m1@x>\r\n\r\nbody\r\n",
			from: "André <a@x>", subject: "été€uro", msgID: "m1@x", date: "2023-01-03T08:00:00Z",
		},
		"8-bit header that is not UTF-8": {
			raw: "Subject: caf\xe9\r\n\r\n", subject: "caf\uFFFD",
		},
		"unknown charset": {
			raw: "Subject: =?x-klingon?Q?qapla?=\r\n\r\n", subject: "=?x-klingon?Q?qapla?=",
		},
		"bad date falls back to arrival": {
			raw: "Subject: s\r\nDate: yesterday-ish\r\n\r\n", subject: "s",
		},
		"control characters removed": {
			raw: "Subject: a\x1b[2Jb\r\n\r\n", subject: "a[2Jb",
		},
		"attachment": {
			raw:     "Subject: att\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf\r\n\r\n%PDF\r\n--b--\r\n",
			subject: "att", attachments: true,
		},
		"missing boundary": {
			raw:     "Subject: broken\r\nContent-Type: multipart/mixed\r\n\r\nno parts\r\n",
			subject: "broken",
		},
		"garbage": {raw: "\x00\x01\x02 not a message at all"},
		"lines ending CR CR LF, as Courier and popa3d send a file stored with CRLF": {
			raw:  "From: Ada <ada@x>\r\r\nSubject: =?UTF-8?Q?caf=C3=A9?=\r\r\nDate: Tue, 3 Jan 2023 09:00:00 +0100\r\r\nMessage-ID: <m2@x>\r\r\n\r\r\nbody\r\r\n",
			from: "Ada <ada@x>", subject: "café", msgID: "m2@x", date: "2023-01-03T08:00:00Z",
		},
	}
	arrived := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := extract([]byte(tt.raw), arrived)
			want := arrived
			if tt.date != "" {
				want, _ = time.Parse(time.RFC3339, tt.date)
			}
			if tt.from != "" && s.From != tt.from || s.Subject != tt.subject && !(name == "garbage") ||
				s.MessageID != tt.msgID || !s.Date.Equal(want) || s.HasAttachments != tt.attachments {
				t.Errorf("got %+v", s)
			}
		})
	}
}

// TestListPagingAndSearch runs with the full-text index and without it
// (header search): simple searches agree.
func TestListPagingAndSearch(t *testing.T) {
	for _, noFullText := range []bool{false, true} {
		t.Run(fmt.Sprint("NoFullText=", noFullText), func(t *testing.T) {
			a, err := Open(filepath.Join(t.TempDir(), "archive.db"), &Options{NoFullText: noFullText})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			testListPagingAndSearch(t, a)
		})
	}
}

func testListPagingAndSearch(t *testing.T, a *Archive) {
	var batch []Incoming
	for i := range 25 {
		date := time.Date(2023, 1, 1+i, 0, 0, 0, 0, time.UTC).Format(time.RFC1123Z)
		subject := fmt.Sprintf("note %02d", i)
		if i == 7 {
			subject = "Grüße aus der STRASSE"
		}
		acct := "home"
		if i%5 == 0 {
			acct = "work"
		}
		batch = append(batch, Incoming{Account: acct, UID: fmt.Sprint(i), Raw: msg(subject, date, "x\r\n")})
	}
	if _, err := a.Store(batch); err != nil {
		t.Fatal(err)
	}
	var subjects []string
	q := Query{Limit: 10}
	for pages := 0; ; pages++ {
		p, err := a.List(q)
		if err != nil || pages > 3 {
			t.Fatal(err, pages)
		}
		for _, s := range p.Messages {
			subjects = append(subjects, s.Subject)
		}
		if p.Next == nil {
			break
		}
		q.Before = p.Next
	}
	if len(subjects) != 25 || subjects[0] != "note 24" || subjects[24] != "note 00" {
		t.Fatalf("order: %v", subjects)
	}
	if a.text != nil {
		if err := a.SearchIndex().Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		q    Query
		want int
	}{
		{Query{Search: "straße"}, 1},
		{Query{Search: "grüsse"}, 1}, // full folding: ß is ss
		{Query{Search: "GRÜSSE strasse"}, 1},
		{Query{Search: "ada note"}, 24},
		{Query{Search: "bob@example.org"}, 25},
		{Query{Account: "work"}, 5},
		{Query{Account: "work", Search: "note 05"}, 1},
		{Query{Account: "nobody"}, 0},
	} {
		p, err := a.List(tt.q)
		if err != nil || len(p.Messages) != tt.want {
			t.Errorf("%+v: %d results, want %d (%v)", tt.q, len(p.Messages), tt.want, err)
		}
	}
}

func TestReadFlagsDeleteAndRemoveAccount(t *testing.T) {
	a := openTemp(t)
	st, err := a.Store([]Incoming{
		{Account: "home", UID: "1", Raw: msg("one", "Mon, 2 Jan 2023 10:00:00 +0000", "1\r\n")},
		{Account: "home", UID: "2", Raw: msg("two", "Mon, 2 Jan 2023 11:00:00 +0000", "2\r\n")},
		{Account: "work", UID: "x", Raw: msg("two", "Mon, 2 Jan 2023 11:00:00 +0000", "2\r\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetRead(st[0].ID, true); err != nil {
		t.Fatal(err)
	}
	if c, _ := a.Count(); c["home"].Unread != 1 {
		t.Fatalf("counts %v", c)
	}
	if err := a.Delete(st[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Raw(st[0].ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted message: %v", err)
	}
	if u, _ := a.Account("home").UIDs(); len(u) != 2 {
		t.Fatal("a deleted message's UID was forgotten; a fetch would bring it back")
	}
	a.Account("home").PutSettings([]byte(`{}`))
	a.Account("work").PutSettings([]byte(`{}`))
	// A choice that is neither KeepMail nor DeleteMail (the zero value)
	// removes nothing: it is not taken to mean either.
	if err := a.Account("home").Remove(0); err == nil {
		t.Fatal("Remove(0) removed the account")
	}
	if names, _ := a.Accounts(); len(names) != 2 {
		t.Fatalf("after Remove(0): accounts %v", names)
	}
	if err := a.Account("home").Remove(DeleteMail); err != nil {
		t.Fatal(err)
	}
	// Message two is still claimed by work.
	if s, err := a.Summary(st[1].ID); err != nil || s.InAccount("home") || !s.InAccount("work") {
		t.Fatalf("shared message after removing home: %+v, %v", s, err)
	}
	if names, _ := a.Accounts(); len(names) != 1 || names[0] != "work" {
		t.Fatalf("accounts %v", names)
	}
	if err := a.Account("work").Remove(DeleteMail); err != nil {
		t.Fatal(err)
	}
	if c, _ := a.Count(); c[""].Total != 0 {
		t.Fatalf("counts after removing all: %v", c)
	}
	if err := a.Account("nobody").Remove(KeepMail); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removing a missing account: %v", err)
	}
}

func TestView(t *testing.T) {
	a := openTemp(t)
	raw := "From: a@x\r\nSubject: v\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9\r\n" +
		"--b\r\nContent-Type: text/html\r\n\r\n<p>hi <img src=http://tracker/x></p>\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"../../evil.sh\"\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n" +
		"--b\r\nContent-Type: image/png; name=\"..\\\\..\\\\.hidden.png\"\r\n\r\nPNG\r\n--b--\r\n"
	st, err := a.Store([]Incoming{{Account: "home", Raw: []byte(raw)}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := a.View(st[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Text != "café" && v.Text != "café\r\n" {
		t.Errorf("text %q", v.Text)
	}
	if !strings.Contains(v.HTML, "<p>hi") {
		t.Errorf("html %q", v.HTML)
	}
	if len(v.Attachments) != 2 || v.Attachments[0].Name != "evil.sh" || v.Attachments[0].Size != 5 || v.Attachments[1].Name != "hidden.png" {
		t.Fatalf("attachments %+v", v.Attachments)
	}
	att, data, err := a.Attachment(st[0].ID, v.Attachments[0].Index)
	if err != nil || string(data) != "hello" || att.Name != "evil.sh" {
		t.Fatalf("attachment %+v %q %v", att, data, err)
	}
	if v.Flowed || v.DelSp {
		t.Errorf("a fixed text part read as flowed")
	}
	st, err = a.Store([]Incoming{{Account: "home", Raw: []byte("From: a@x\r\nSubject: f\r\nContent-Type: text/plain; format=Flowed; DelSp=yes\r\n\r\na \r\nb\r\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if v, err = a.View(st[0].ID); err != nil || !v.Flowed || !v.DelSp {
		t.Errorf("format=flowed; delsp=yes not seen: %+v %v", v, err)
	}
}

func TestVerifyFindsCorruption(t *testing.T) {
	a := openTemp(t)
	st, err := a.Store([]Incoming{
		{Account: "home", Raw: msg("a", "Mon, 2 Jan 2023 10:00:00 +0000", "a\r\n")},
		{Account: "home", Raw: msg("b", "Mon, 2 Jan 2023 10:00:00 +0000", "b\r\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.Verify(nil)
	if err != nil || !r.OK() || r.Messages != 2 {
		t.Fatalf("clean archive: %+v, %v", r, err)
	}
	// Swap in another message's bytes behind the index's back.
	a.db.Update(func(tx *bboltTx) error {
		return tx.Bucket(bucketMessages).Put(u64(st[1].ID), compress([]byte("tampered")))
	})
	r, err = a.Verify(nil)
	if err != nil || r.OK() || !strings.Contains(r.Problems[0], fmt.Sprintf("message %d", st[1].ID)) {
		t.Fatalf("tampered archive: %+v, %v", r, err)
	}
}

// TestLockContention opens the archive in a second process that holds it,
// and expects ErrInUse within about a second.
func TestLockContention(t *testing.T) {
	path := filepath.Join(t.TempDir(), "archive.db")
	cmd := exec.Command(os.Args[0], "-test.run=TestHelperHoldArchive")
	cmd.Env = append(os.Environ(), "POPVAULT_HOLD_ARCHIVE="+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	buf := make([]byte, 5)
	if _, err := stdout.Read(buf); err != nil || string(buf) != "ready" {
		t.Fatalf("helper: %q %v", buf, err)
	}
	start := time.Now()
	_, err := Open(path, nil)
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("err = %v, want ErrInUse", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
	stdin.Close()
	cmd.Wait()
	a, err := Open(path, nil)
	if err != nil {
		t.Fatalf("after the holder exited: %v", err)
	}
	a.Close()
	// Windows keeps no Unix modes (the profile folder's ACL protects the
	// archive there): the mode is checked where it means something.
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
}

func TestHelperHoldArchive(t *testing.T) {
	path := os.Getenv("POPVAULT_HOLD_ARCHIVE")
	if path == "" {
		return // only a helper process for TestLockContention
	}
	a, err := Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	os.Stdout.WriteString("ready")
	os.Stdin.Read(make([]byte, 1))
}

func TestTrimKeepsData(t *testing.T) {
	a := openTemp(t)
	st, err := a.Store([]Incoming{{Account: "a", Raw: msg("trim", "Mon, 2 Jan 2023 10:00:00 +0000", "x\r\n")}})
	if err != nil {
		t.Fatal(err)
	}
	a.trim()
	if raw, err := a.Raw(st[0].ID); err != nil || !bytes.Contains(raw, []byte("Subject: trim")) {
		t.Fatalf("after Trim: %q, %v", raw, err)
	}
	if r, err := a.Verify(nil); err != nil || !r.OK() {
		t.Fatalf("verify after Trim: %+v %v", r, err)
	}
}

// A server that lists one message under thousands of UIDs grows no
// record: each UID is remembered, the record keeps one claim an account.
func TestManyUIDsForOneMessage(t *testing.T) {
	a := openTemp(t)
	raw := msg("same", "Mon, 2 Jan 2023 10:00:00 +0000", "one body\r\n")
	var batch []Incoming
	for i := range 3000 {
		batch = append(batch, Incoming{Account: "a", UID: fmt.Sprintf("uid-%d", i), Raw: raw})
	}
	batch = append(batch, Incoming{Account: "b", UID: "x", Raw: raw})
	st, err := a.Store(batch)
	if err != nil {
		t.Fatal(err)
	}
	s, err := a.Summary(st[0].ID)
	if err != nil || len(s.Refs) != 2 {
		t.Fatalf("record refs %d, %v", len(s.Refs), err)
	}
	if uids, _ := a.Account("a").UIDs(); len(uids) != 3000 {
		t.Fatalf("%d UIDs remembered", len(uids))
	}
	if !st[1].Known || st[0].Known || st[3000].Known {
		t.Fatalf("known: %v %v %v", st[0].Known, st[1].Known, st[3000].Known)
	}
}

// The archive says "archive:" once, whatever depth an error comes from.
func TestErrorsSayArchiveOnce(t *testing.T) {
	a := openTemp(t)
	for name, err := range map[string]error{
		"delete":         a.Delete(999),
		"remove account": a.Account("nobody").Remove(DeleteMail),
		"import":         func() error { _, err := a.Import(FormatMbox, os.DevNull+"x", ""); return err }(),
		"settings":       func() error { _, err := a.Account("nobody").Settings(); return err }(),
	} {
		if err == nil || strings.Count(err.Error(), "archive:") != 1 {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := a.Delete(999); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete of nothing: %v is not ErrNotFound", err)
	}
}

// Hold keeps what it holds from Delete and Account.Remove until released,
// and reports what the archive does not hold.
func TestHold(t *testing.T) {
	a := openTemp(t)
	st, err := a.Store([]Incoming{{Account: "a", UID: "1", Raw: tricky2(1)}, {Account: "a", UID: "2", Raw: tricky2(2)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Delete(st[1].ID); err != nil {
		t.Fatal(err)
	}
	held, release, err := a.Hold([]uint64{st[0].ID, st[1].ID})
	if err != nil || !held[st[0].ID] || held[st[1].ID] {
		t.Fatalf("held %v, %v", held, err)
	}
	if err := a.Delete(st[0].ID); !errors.Is(err, ErrHeld) {
		t.Fatalf("Delete of a held message: %v", err)
	}
	if err := a.Account("a").Remove(DeleteMail); !errors.Is(err, ErrHeld) {
		t.Fatalf("Account.Remove with a held message: %v", err)
	}
	release()
	release() // twice is harmless
	if err := a.Account("a").Remove(DeleteMail); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

func tricky2(i int) []byte {
	return msg(fmt.Sprintf("held %d", i), "Mon, 2 Jan 2023 10:00:00 +0000", "body\r\n")
}

func TestSafeFileName(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"plain":                   {"report.pdf", "report.pdf"},
		"a path":                  {"../../etc/passwd", "passwd"},
		"a Windows path":          {`C:\Users\x\evil.bat`, "evil.bat"},
		"a hidden file":           {"../.bashrc", "bashrc"},
		"a right-to-left trick":   {"invoice\u202Efdp.exe", "invoicefdp.exe"},
		"isolates and zero-width": {"a\u2066b\u200Bc\u2069.txt", "abc.txt"},
		"a stream on NTFS":        {"notes.txt:hidden", "notes.txt_hidden"},
		"Windows forbids these":   {`a<b>c"d|e?f*g.txt`, "a_b_c_d_e_f_g.txt"},
		"trailing dots, spaces":   {"setup.exe. . ", "setup.exe"},
		"a device":                {"CON", "_CON"},
		"a device, extension":     {"nul.txt", "_nul.txt"},
		"a device, lower, COM":    {"com1.log", "_com1.log"},
		"not a device":            {"console.log", "console.log"},
		"controls":                {"a\x1b[2Jb\x00.txt", "a[2Jb.txt"},
		"nothing left":            {"../..", "fallback"},
		"only dots":               {"...", "fallback"},
		"long, keeps extension":   {strings.Repeat("é", 150) + ".pdf", strings.Repeat("é", 98) + ".pdf"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := SafeFileName(tt.in, "fallback"); got != tt.want {
				t.Fatalf("SafeFileName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParents(t *testing.T) {
	raw := "From: a@x\r\nSubject: Re: plan\r\nMessage-ID: <c@x>\r\nReferences: <a@x>\r\n <b@x>\r\nIn-Reply-To: <b@x>\r\n\r\nhi\r\n"
	s := extract([]byte(raw), time.Now())
	if strings.Join(s.Parents, " ") != "a@x b@x" {
		t.Errorf("parents %q", s.Parents)
	}
	s = extract([]byte("From: a@x\r\nIn-Reply-To: <q@x>\r\n\r\n"), time.Now())
	if strings.Join(s.Parents, " ") != "q@x" {
		t.Errorf("In-Reply-To alone: %q", s.Parents)
	}
	many := "From: a@x\r\nReferences:"
	for i := 0; i < 100; i++ {
		many += fmt.Sprintf(" <%d@x>", i)
	}
	if s = extract([]byte(many+"\r\n\r\n"), time.Now()); len(s.Parents) != maxParents || s.Parents[maxParents-1] != "99@x" {
		t.Errorf("100 references kept as %q", s.Parents)
	}
	// A record written before parents were kept reads with none.
	old := &Summary{Subject: "old", Refs: []Ref{{"a", "1"}}}
	back, err := decodeSummary(1, old.encode())
	if err != nil || back.Parents != nil || back.Subject != "old" {
		t.Errorf("old record: %+v %v", back, err)
	}
}

// TestBackfillParents: records written before parents were kept get them
// from their headers, once.
func TestBackfillParents(t *testing.T) {
	a := openTemp(t)
	var batch []Incoming
	for i := 0; i < 1200; i++ {
		raw := fmt.Sprintf("From: a@x\r\nSubject: s%d\r\nMessage-ID: <%d@x>\r\n", i, i)
		if i%2 == 1 {
			raw += fmt.Sprintf("In-Reply-To: <%d@x>\r\n", i-1)
		}
		batch = append(batch, Incoming{Account: "a", UID: fmt.Sprint(i), Raw: []byte(raw + "\r\nbody\r\n")})
	}
	st, err := a.Store(batch)
	if err != nil {
		t.Fatal(err)
	}
	// Make the records as an older popvault wrote them.
	a.db.Update(func(tx *bboltTx) error {
		for _, s := range st {
			r, _ := getRecord(tx, s.ID)
			r.Parents = nil
			tx.Bucket(bucketIndex).Put(u64(s.ID), r.encode())
		}
		return tx.Bucket(bucketMeta).Delete(keyParents)
	})
	n, err := a.BackfillParents(context.Background())
	if err != nil || n != 600 {
		t.Fatalf("gave parents to %d: %v", n, err)
	}
	for i, s := range st {
		got, _ := a.Summary(s.ID)
		want := ""
		if i%2 == 1 {
			want = fmt.Sprintf("%d@x", i-1)
		}
		if strings.Join(got.Parents, " ") != want {
			t.Fatalf("message %d: parents %q, want %q", i, got.Parents, want)
		}
	}
	var flagged bool
	a.db.View(func(tx *bboltTx) error { flagged = tx.Bucket(bucketMeta).Get(keyParents) != nil; return nil })
	if !flagged {
		t.Fatal("the archive does not record that its parents were read: every start would read them again")
	}
	if n, err := a.BackfillParents(context.Background()); n != 0 || err != nil {
		t.Fatalf("a second run did %d: %v", n, err)
	}
}

// TestNewArchiveReadsNoParents: a new archive reads each message's
// parents as it is stored, so the window's backfill, meant for archives
// written before that, reads nothing there (it had read every message of
// a newly imported million).
func TestNewArchiveReadsNoParents(t *testing.T) {
	a := openTemp(t)
	st, err := a.Store([]Incoming{{Account: "a", UID: "1", Raw: []byte("Subject: re\r\nIn-Reply-To: <0@x>\r\n\r\nbody\r\n")}})
	if err != nil {
		t.Fatal(err)
	}
	a.db.Update(func(tx *bboltTx) error { // a record the backfill would fill
		r, _ := getRecord(tx, st[0].ID)
		r.Parents = nil
		return tx.Bucket(bucketIndex).Put(u64(st[0].ID), r.encode())
	})
	if n, err := a.BackfillParents(context.Background()); n != 0 || err != nil {
		t.Fatalf("the backfill read a new archive's messages: %d given parents, %v", n, err)
	}
}

// A message prepared before its Store is stored as one that was not: the
// same bytes, record and deduplication; and a prepared message kept by
// the caller can be stored again elsewhere.
func TestPreparedIsStoredTheSame(t *testing.T) {
	arrived := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	raw := msg("prepared", "Mon, 2 Jan 2023 10:00:00 +0000", "body\r\n")
	plain, ready := openTemp(t), openTemp(t)
	p := Prepare(Incoming{Account: "home", UID: "1", Raw: raw, Arrived: arrived})
	want, err := plain.Store([]Incoming{{Account: "home", UID: "1", Raw: raw, Arrived: arrived}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := ready.Store([]Incoming{p, {Account: "work", UID: "A", Raw: raw, Arrived: arrived}})
	if err != nil {
		t.Fatal(err)
	}
	if !got[1].Duplicate || got[0].ID != want[0].ID {
		t.Fatalf("stored %+v, want %+v and a duplicate", got, want)
	}
	w, _ := plain.Summary(want[0].ID)
	g, _ := ready.Summary(got[0].ID)
	if g.Subject != w.Subject || !g.Date.Equal(w.Date) || !g.Arrived.Equal(w.Arrived) || g.SHA256 != sha256.Sum256(raw) || g.SHA256 != w.SHA256 ||
		g.Size != w.Size || len(g.Refs) != 2 {
		t.Fatalf("record %+v, want %+v with both accounts", g, w)
	}
	other := Prepare(Incoming{Account: "home", UID: "2", Raw: msg("another", "Mon, 2 Jan 2023 11:00:00 +0000", "body\r\n")})
	if st, err := ready.Store([]Incoming{other}); err != nil || st[0].Duplicate || st[0].ID == got[0].ID {
		t.Fatalf("another message: %+v, %v", st, err)
	}
	if b, err := ready.Raw(got[0].ID); err != nil || !bytes.Equal(b, raw) {
		t.Fatalf("bytes %q, %v", b, err)
	}
	third := openTemp(t)
	if st, err := third.Store([]Incoming{p}); err != nil || st[0].Duplicate {
		t.Fatalf("the same prepared message in another archive: %+v, %v", st, err)
	}
	if s, _ := third.Summary(1); s == nil || len(s.Refs) != 1 || s.Refs[0].Account != "home" {
		t.Fatalf("record %+v", s)
	}
}

// Verify reads every message, and gives the file's pages back as it
// goes: the pages it holds do not grow with the archive (a million
// messages once held 4.3 GB resident). bbolt's check before it is given
// back by the clock, which this size cannot show.
func TestVerifyGivesPagesBack(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the process's memory from /proc")
	}
	path := filepath.Join(t.TempDir(), "a.db")
	a, err := Open(path, &Options{NoSync: true, NoFullText: true})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	const n, size = 192, 1 << 20 // random bytes: stored at their size
	for range n {
		raw := make([]byte, size)
		for j := range raw {
			raw[j] = byte(r.Uint32())
		}
		if _, err := a.Store([]Incoming{{Account: "a", Raw: raw}}); err != nil {
			t.Fatal(err)
		}
	}
	a.Close()
	a, err = Open(path, &Options{NoFullText: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if rep, err := a.Verify(nil); err != nil || !rep.OK() || rep.Messages != n {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
	defer func(b int) { verifyTrimBytes = b }(verifyTrimBytes)
	verifyTrimBytes = 8 << 20
	a.trim()
	// The file's pages mapped, sampled while every message is read.
	stop, peak := make(chan struct{}), make(chan int64)
	go func() {
		var most int64
		for {
			select {
			case <-stop:
				peak <- most
				return
			case <-time.After(time.Millisecond):
				most = max(most, procStatus("RssFile:"))
			}
		}
	}()
	rep := &Report{}
	err = a.verifyMessages(rep, nil)
	close(stop)
	most := <-peak
	if err != nil || !rep.OK() || rep.Messages != n {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
	if most > n*size/4 {
		t.Fatalf("verify held %d MB of the file's pages reading %d MB", most>>20, n*size>>20)
	}
}

// TestRecountGivesPagesBack: counting every record (verify's check of the
// kept totals, a rebuild's count) gives the file's pages back as it goes.
func TestRecountGivesPagesBack(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads the process's memory from /proc")
	}
	a, err := Open(filepath.Join(t.TempDir(), "a.db"), &Options{NoSync: true, NoFullText: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	const n = 10_000
	subject := strings.Repeat("a long subject ", 70) // records of about a kilobyte
	for done := 0; done < n; done += 1000 {
		var batch []Incoming
		for i := done; i < done+1000; i++ {
			batch = append(batch, Incoming{Account: "a", UID: fmt.Sprint(i), Raw: msg(fmt.Sprint(subject, i), "Mon, 2 Jan 2023 10:00:00 +0000", "x\r\n")})
		}
		if _, err := a.Store(batch); err != nil {
			t.Fatal(err)
		}
	}
	defer func(r int) { trimRecords = r }(trimRecords)
	trimRecords = 500
	a.trim()
	before := procStatus("RssFile:")
	var held int64
	a.db.View(func(tx *bboltTx) error {
		counts, err := recountTx(tx, func() { a.trimIn(tx) })
		if err != nil || counts[""].Total != n {
			t.Fatalf("counted %v, %v", counts, err)
		}
		held = procStatus("RssFile:") - before
		return nil
	})
	if records := int64(n * len(subject)); held > records/4 {
		t.Fatalf("counting %d records (%d MB) held %d MB of the file's pages", n, records>>20, held>>20)
	}
}

// A message the backfill cannot read is said in its error, by number;
// the others get their parents all the same, and the run is not repeated.
func TestBackfillParentsSaysWhatItCouldNotRead(t *testing.T) {
	a := openTemp(t)
	var batch []Incoming
	for i := range 2 {
		raw := fmt.Sprintf("From: a@x\r\nMessage-ID: <%d@x>\r\nIn-Reply-To: <p%d@x>\r\n\r\nbody\r\n", i, i)
		batch = append(batch, Incoming{Account: "a", UID: fmt.Sprint(i), Raw: []byte(raw)})
	}
	st, err := a.Store(batch)
	if err != nil {
		t.Fatal(err)
	}
	a.db.Update(func(tx *bboltTx) error { // older records, the second message's bytes damaged
		for _, s := range st {
			r, _ := getRecord(tx, s.ID)
			r.Parents = nil
			tx.Bucket(bucketIndex).Put(u64(s.ID), r.encode())
		}
		tx.Bucket(bucketMessages).Put(u64(st[1].ID), []byte("not zstd"))
		return tx.Bucket(bucketMeta).Delete(keyParents)
	})
	n, err := a.BackfillParents(context.Background())
	if n != 1 || err == nil || !strings.Contains(err.Error(), fmt.Sprintf("message %d", st[1].ID)) {
		t.Fatalf("gave parents to %d, error %v: want 1, and an error naming message %d", n, err, st[1].ID)
	}
	if n, err := a.BackfillParents(context.Background()); n != 0 || err != nil {
		t.Fatalf("a second run did %d: %v", n, err)
	}
}
