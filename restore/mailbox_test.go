package restore

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"popvault/fetch/pop3test/dovecot"
	"popvault/restore/imaptest"
)

// The mailbox's name as a person writes it ("/" between levels) is
// written the server's way; a name the server refuses gets a sentence
// around the server's bare words.
func TestRestoreMailboxNames(t *testing.T) {
	courier := imaptest.Courier()
	dots := imaptest.Options{Delim: '.'}
	for name, c := range map[string]struct {
		opts    imaptest.Options
		mailbox string
		want    string
	}{
		"Courier":                       {courier, "Archive/2019", "INBOX.Archive.2019"},
		"Courier, its own spelling":     {courier, "INBOX.Archive.2019", "INBOX.Archive.2019"},
		"Courier, INBOX/ written":       {courier, "INBOX/Archive", "INBOX.Archive"},
		"Courier, inbox":                {courier, "inbox", "INBOX"},
		"dots, no prefix":               {dots, "Archive/2019", "Archive.2019"},
		"slashes":                       {imaptest.Options{}, "Archive/2019", "Archive/2019"},
		"slashes, a dot in the name":    {imaptest.Options{}, "Archive.2019", "Archive.2019"},
		"dots, a name of a single word": {dots, "Restored", "Restored"},
	} {
		t.Run(name, func(t *testing.T) {
			s := imaptest.Start(t, c.opts)
			a := newArchive(t)
			ids := fill(t, a, 5, 42)
			o := testOptions(s, c.mailbox)
			sum, err := Run(context.Background(), a, ids, o)
			if err != nil || !sum.Complete() || sum.Target != c.mailbox+" on 127.0.0.1" {
				t.Fatalf("%v, %+v", err, sum)
			}
			if got := s.Mailboxes(); !slices.Contains(got, c.want) {
				t.Fatalf("the server has %q, want %q among them", got, c.want)
			}
			once(t, a, s, c.want, ids, 0)
			// Again: the same record, nothing sent twice.
			if sum, err := Run(context.Background(), a, ids, o); err != nil || sum.Already != 5 || sum.Sent != 0 {
				t.Fatalf("again: %v, %+v", err, sum)
			}
		})
	}
	t.Run("refused", func(t *testing.T) {
		s := imaptest.Start(t, courier)
		a := newArchive(t)
		ids := fill(t, a, 2, 43)
		_, err := Run(context.Background(), a, ids, testOptions(s, "Archive//2019"))
		var ierr *imap.Error
		if err == nil || !errors.As(err, &ierr) {
			t.Fatalf("got %v", err)
		}
		for _, want := range []string{`"Archive//2019"`, `"INBOX.Archive..2019" there`, "refused to make", `"Invalid mailbox name."`, "between levels", "make the mailbox in your mail program"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q does not say %s", err, want)
			}
		}
	})
}

func TestSpell(t *testing.T) {
	courier := names{prefix: "INBOX.", delim: '.'}
	for _, c := range []struct {
		n          names
		name, want string
	}{
		{courier, "Archive/2019", "INBOX.Archive.2019"},
		{courier, "INBOX.Archive", "INBOX.Archive"},
		{courier, "inbox.Archive", "inbox.Archive"},
		{courier, "Inbox", "INBOX"},
		{names{prefix: "INBOX.", delim: '.', others: []string{"#shared."}}, "#shared.team", "#shared.team"},
		{names{delim: '.'}, "a/b/c", "a.b.c"},
		{names{delim: '/'}, "a/b.c", "a/b.c"},
		{names{}, "a/b", "a/b"}, // a flat server: nothing to map to
	} {
		if got := c.n.spell(c.name); got != c.want {
			t.Errorf("%+v spells %q as %q, want %q", c.n, c.name, got, c.want)
		}
	}
}

// Dovecot's Maildir++ folders are separated by ".": the README's own
// example, Archive/2019, is made and filled as Archive.2019.
func TestRestoreDovecotSeparator(t *testing.T) {
	d := startIMAP(t, dovecot.Options{})
	a := newArchive(t)
	ids := fill(t, a, 10, 46)
	sum, err := Run(context.Background(), a, ids, options(d, "Archive/2019"))
	if err != nil || !sum.Complete() || !sum.Created {
		t.Fatalf("%v, %+v", err, sum)
	}
	c := bob(t, d)
	list, err := c.List("", "*", nil).Collect()
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range list {
		names = append(names, l.Mailbox)
	}
	if !slices.Contains(names, "Archive.2019") {
		t.Fatalf("the server has %q", names)
	}
	exactlyOnce(t, a, d, "Archive.2019", ids)
}
