package cli

import (
	"crypto/sha256"
	"strconv"
	"strings"
	"testing"

	"popvault/archive"
	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
	"popvault/oauth/oauthtest"
)

// startIMAP starts a Dovecot with IMAP that holds msgs for alice (POP3).
func startIMAP(t *testing.T, opts dovecot.Options, msgs [][]byte) *dovecot.Server {
	t.Helper()
	opts.IMAP = true
	return dovecot.StartForTestWith(t, opts, msgs...)
}

// restoreArgs restore into bob's mailbox over IMAPS.
func restoreArgs(d *dovecot.Server, mailbox string, more ...string) []string {
	return append([]string{"restore", "--host", "127.0.0.1", "--port", strconv.Itoa(d.IMAPTLSPort), "--ca-file", d.CAFile,
		"--user", d.User2, "--password-stdin", "--mailbox", mailbox}, more...)
}

// imapMailbox returns the bytes of every message in bob's mailbox.
func imapMailbox(t *testing.T, d *dovecot.Server, name string) [][]byte {
	t.Helper()
	msgs, err := d.IMAPMessages(name)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// archived returns the bytes of every message in the vault's archive.
func (v *vault) archived() [][]byte {
	v.t.Helper()
	a, err := archive.Open(v.path, &archive.Options{NoFullText: true})
	if err != nil {
		v.t.Fatal(err)
	}
	defer a.Close()
	var out [][]byte
	q := archive.Query{Limit: 1000}
	for {
		page, err := a.List(q)
		if err != nil {
			v.t.Fatal(err)
		}
		for _, s := range page.Messages {
			raw, err := a.Raw(s.ID)
			if err != nil {
				v.t.Fatal(err)
			}
			out = append(out, raw)
		}
		if page.Next == nil {
			return out
		}
		q.Before = page.Next
	}
}

// sameOnce fails unless got holds each of want exactly once, and nothing else.
func sameOnce(t *testing.T, who string, got, want [][]byte) {
	t.Helper()
	count := map[[32]byte]int{}
	for _, m := range got {
		count[sha256.Sum256(m)]++
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d messages, want %d", who, len(got), len(want))
	}
	for i, m := range want {
		if n := count[sha256.Sum256(m)]; n != 1 {
			t.Fatalf("%s: message %d of %d is there %d times, byte for byte", who, i, len(want), n)
		}
	}
}

// TestRestoreRoundTrip fetches alice's mail over POP3, restores it into
// bob's INBOX over IMAP, and fetches bob's over POP3 into a second
// archive: the same bytes come back.
func TestRestoreRoundTrip(t *testing.T) {
	var msgs [][]byte
	for _, m := range mailgen.Corpus(150, 21) {
		msgs = append(msgs, m.Data)
	}
	d := startIMAP(t, dovecot.Options{}, msgs)
	v := newVault(t)
	v.addAccount(d, "alice", "tls", true)
	v.ok("", "fetch", "--quiet")
	out := v.ok(d.Password2+"\n", restoreArgs(d, "INBOX")...)
	if !strings.Contains(out, "150 of 150 messages are in INBOX on 127.0.0.1") {
		t.Fatalf("summary: %q", out)
	}
	w := newVault(t)
	w.ok(d.Password2+"\n", "account", "add", "--name", "bob", "--host", "127.0.0.1", "--port", strconv.Itoa(d.TLSPort),
		"--ca-file", d.CAFile, "--user", d.User2, "--password-stdin")
	w.ok("", "fetch", "--quiet")
	sameOnce(t, "POP3 after the restore", w.archived(), msgs)
	// Again: nothing is sent twice.
	out = v.ok(d.Password2+"\n", restoreArgs(d, "INBOX")...)
	if !strings.Contains(out, "0 sent now, 150 there before") {
		t.Fatalf("second summary: %q", out)
	}
}

// TestRestoreCLIFailures: a missing mailbox and a quota each end with a
// clear message and exit status 1; the refused are listed by id,
// subject and reason.
func TestRestoreCLIFailures(t *testing.T) {
	var msgs [][]byte
	var total int
	for _, m := range mailgen.Corpus(40, 22) {
		msgs = append(msgs, m.Data)
		total += len(m.Data)
	}
	d := startIMAP(t, dovecot.Options{QuotaKiB: int64(total / 2 / 1024)}, msgs)
	v := newVault(t)
	v.addAccount(d, "alice", "tls", true)
	v.ok("", "fetch", "--quiet")
	_, errs, code := v.run(d.Password2+"\n", restoreArgs(d, "Missing")...)
	if code != 1 || !strings.Contains(errs, `"Missing"`) || !strings.Contains(errs, "--create") {
		t.Fatalf("missing mailbox: exit %d, %q", code, errs)
	}
	out, errs, code := v.run(d.Password2+"\n", restoreArgs(d, "Full", "--create")...)
	if code != 1 || !strings.Contains(out, "Not restored:") || !strings.Contains(out, "over quota") || !strings.Contains(errs, "restore incomplete") {
		t.Fatalf("over quota: exit %d\n%s\n%s", code, out, errs)
	}
	list := v.listJSON()
	if !strings.Contains(out, strconv.FormatUint(list[0].ID, 10)) && !strings.Contains(out, clip(list[0].Subject, 50)) {
		t.Fatalf("the refused are not named: %s", out)
	}
	if err := d.SetQuota(0); err != nil {
		t.Fatal(err)
	}
	v.ok(d.Password2+"\n", restoreArgs(d, "Full")...)
	sameOnce(t, "after the quota grew", imapMailbox(t, d, "Full"), msgs)
}

// TestRestoreOAuth restores into a mailbox that signs in with OAuth: a
// sign-in in the browser the first time, kept in the keyring (here the
// file that stands in for it), and used again without one; Dovecot checks
// each token at the provider. No token shows in what popvault prints.
func TestRestoreOAuth(t *testing.T) {
	p := oauthtest.NewServer("popvault-test", "restore-app-secret")
	p.User = "bob"
	defer p.Close()
	var msgs [][]byte
	for _, m := range mailgen.Corpus(30, 24) {
		msgs = append(msgs, m.Data)
	}
	d := startIMAP(t, dovecot.Options{Introspection: p.URL + "/introspect"}, msgs)
	v := newVault(t)
	v.addAccount(d, "alice", "tls", true)
	v.ok("", "fetch", "--quiet")
	args := []string{"restore", "--host", "127.0.0.1", "--port", strconv.Itoa(d.IMAPTLSPort), "--ca-file", d.CAFile,
		"--user", d.User2, "--mailbox", "INBOX", "--no-browser",
		"--oauth", "custom", "--client-id", "popvault-test", "--client-secret-stdin",
		"--auth-url", p.URL + "/authorize", "--token-url", p.URL + "/token", "--scope", "mail"}
	out, errs := v.signInCLIWith(p, "restore-app-secret\n", args...)
	if !strings.Contains(out, "30 of 30 messages are in INBOX") || !strings.Contains(errs, "Signed in") {
		t.Fatalf("first restore:\n%s%s", out, errs)
	}
	sameOnce(t, "INBOX", imapMailbox(t, d, "INBOX"), msgs)
	if p.Count("introspect") == 0 {
		t.Fatal("Dovecot never asked the provider")
	}
	// Again, with the sign-in kept: no address to open, nothing sent twice.
	p.Expire() // and the kept access token refused: it is renewed
	out, errs, code := v.run("restore-app-secret\n", args...)
	if code != 0 || strings.Contains(errs, "http") || !strings.Contains(out, "0 sent now, 30 there before") || p.Count("refresh_token") == 0 {
		t.Fatalf("second restore: exit %d, %d refreshes\n%s%s", code, p.Count("refresh_token"), out, errs)
	}
	for _, tok := range p.Issued() {
		if strings.Contains(out+errs, tok) {
			t.Fatal("a token was printed")
		}
	}
}
