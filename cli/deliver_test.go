package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"popvault/archive"
	"popvault/credentials"
	"popvault/deliver"
	"popvault/fetch"
	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
	"popvault/oauth/oauthtest"
)

func startBothSides(t *testing.T, n int) (*dovecot.Server, [][]byte) {
	t.Helper()
	var msgs [][]byte
	for _, m := range mailgen.Corpus(n, 11) {
		msgs = append(msgs, m.Data)
	}
	return dovecot.StartForTestWith(t, dovecot.Options{IMAP: true}, msgs...), msgs
}

func (v *vault) deliverTo(d *dovecot.Server, name string, more ...string) string {
	args := append([]string{"account", "deliver", "--name", name, "--host", "127.0.0.1", "--port", strconv.Itoa(d.IMAPTLSPort),
		"--ca-file", d.CAFile, "--user", d.User2, "--mailbox", "INBOX", "--password-stdin"}, more...)
	return v.ok(d.Password2+"\n", args...)
}

func inTarget(t *testing.T, d *dovecot.Server) int {
	t.Helper()
	msgs, err := d.IMAPMessages("INBOX")
	if err != nil {
		t.Fatal(err)
	}
	return len(msgs)
}

// TestCLIDeliver: account deliver turns delivery on, account list shows
// it, fetch fetches and delivers and exits 1 when delivery failed, and
// --off turns it off.
func TestCLIDeliver(t *testing.T) {
	d, _ := startBothSides(t, 20)
	v := newVault(t)
	v.addAccount(d, "home", "tls", false)
	v.deliverTo(d, "home")
	if out := v.ok("", "account", "list"); !strings.Contains(out, "bob: INBOX on 127.0.0.1") {
		t.Fatalf("account list:\n%s", out)
	}
	if _, errs, code := v.run("", "fetch"); code != 0 || !strings.Contains(errs, "home: 20 delivered") {
		t.Fatalf("fetch: exit %d: %s", code, errs)
	}
	if n := inTarget(t, d); n != 20 {
		t.Fatalf("%d in the target, want 20", n)
	}
	if n, _ := d.Count(); n != 0 {
		t.Fatalf("%d left on the source", n)
	}
	if err := d.SetPassword2("revoked"); err != nil {
		t.Fatal(err)
	}
	if err := d.Deliver(mailgen.Corpus(21, 12)[20].Data); err != nil {
		t.Fatal(err)
	}
	_, errs, code := v.run("", "fetch")
	if code != 1 || !strings.Contains(errs, "1 waiting") || !strings.Contains(errs, "INBOX on 127.0.0.1") {
		t.Fatalf("fetch with the target's password revoked: exit %d: %s", code, errs)
	}
	if n, _ := d.Count(); n != 1 {
		t.Fatalf("%d on the source, want the 1 not delivered", n)
	}
	if out := v.ok("", "account", "deliver", "--name", "home", "--off"); !strings.Contains(out, "no longer puts") {
		t.Fatalf("--off: %s", out)
	}
	if out := v.ok("", "account", "list"); strings.Contains(out, "bob:") {
		t.Fatalf("account list after --off:\n%s", out)
	}
	v.env(nil, nil, nil) // this vault's config folder, for the secrets' file
	arch, err := archive.Open(v.path, &archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	home, err := fetch.LoadAccount(arch, "home")
	arch.Close()
	if err != nil {
		t.Fatal(err)
	}
	if pw, err := credentials.NewSecrets(credentials.SecretsOptions{}).Get(deliver.PasswordKey(home)); err == nil && pw != "" {
		t.Error("the target's password is still kept after --off")
	}
}

// TestCLIDeliverArchived: turned on for an account with mail, only new
// mail goes by default, and --also-archived puts the rest there once.
func TestCLIDeliverArchived(t *testing.T) {
	d, _ := startBothSides(t, 10)
	v := newVault(t)
	v.addAccount(d, "home", "tls", true)
	v.ok("", "fetch")
	if out := v.deliverTo(d, "home"); !strings.Contains(out, "The 10 messages archived before now are not put there") {
		t.Fatalf("account deliver: %s", out)
	}
	v.ok("", "fetch")
	if n := inTarget(t, d); n != 0 {
		t.Fatalf("%d in the target, want none of the old mail", n)
	}
	if out := v.deliverTo(d, "home", "--also-archived"); !strings.Contains(out, "10 of the 10 messages archived are in INBOX") {
		t.Fatalf("--also-archived: %s", out)
	}
	v.deliverTo(d, "home", "--also-archived")
	if n := inTarget(t, d); n != 10 {
		t.Fatalf("%d in the target, want 10", n)
	}
}

// TestCLIDeliverTooLarge: a message the target refuses for its size makes
// the fetch it happens in say so and exit 1; later fetches succeed and say
// nothing of it, while status and account list keep it in view, named,
// with what to do.
func TestCLIDeliverTooLarge(t *testing.T) {
	big := []byte("From: a@example.com\r\nTo: b@example.com\r\nSubject: the big one\r\nMessage-ID: <big@example.com>\r\n\r\n" +
		strings.Repeat(strings.Repeat("x", 76)+"\r\n", 3000))
	var msgs [][]byte
	for _, m := range mailgen.Corpus(5, 13) {
		msgs = append(msgs, m.Data)
	}
	d := dovecot.StartForTestWith(t, dovecot.Options{IMAP: true, MaxMailKiB: 150}, append(msgs, big)...)
	v := newVault(t)
	v.addAccount(d, "home", "tls", false)
	v.deliverTo(d, "home")
	if _, errs, code := v.run("", "fetch"); code != 1 || !strings.Contains(errs, `"the big one"`) || !strings.Contains(errs, "5 delivered") {
		t.Fatalf("the fetch it is refused: exit %d: %s", code, errs)
	}
	for range 2 {
		if out, errs, code := v.run("", "fetch"); code != 0 || strings.Contains(out+errs, "big one") {
			t.Fatalf("a later fetch: exit %d: %s%s", code, out, errs)
		}
	}
	if n, _ := d.Count(); n != 1 {
		t.Fatalf("%d on the source, want the big one", n)
	}
	for _, args := range [][]string{{"status"}, {"account", "list"}} {
		out, errs, code := v.run("", args...)
		if code != 0 || !strings.Contains(out, `"the big one"`) || !strings.Contains(out, "kept on the POP server and in the archive") {
			t.Errorf("%s: exit %d:\n%s%s", strings.Join(args, " "), code, out, errs)
		}
	}
}

// TestCLIDeliverOAuthGoesWithIt: a sign-in made in the browser for an
// account's target is kept as that account's (not restore's for the
// server and user), delivers, and is forgotten with --off: no token of
// it stays on this machine.
func TestCLIDeliverOAuthGoesWithIt(t *testing.T) {
	p := oauthtest.NewServer("popvault-test", "deliver-app-secret")
	p.User = "bob"
	defer p.Close()
	var msgs [][]byte
	for _, m := range mailgen.Corpus(5, 13) {
		msgs = append(msgs, m.Data)
	}
	d := startIMAP(t, dovecot.Options{Introspection: p.URL + "/introspect"}, msgs)
	v := newVault(t)
	v.addAccount(d, "home", "tls", true)
	out, errs := v.signInCLIWith(p, "deliver-app-secret\n", "account", "deliver", "--name", "home",
		"--host", "127.0.0.1", "--port", strconv.Itoa(d.IMAPTLSPort), "--ca-file", d.CAFile,
		"--user", d.User2, "--mailbox", "INBOX", "--no-browser",
		"--oauth", "custom", "--client-id", "popvault-test", "--client-secret-stdin",
		"--auth-url", p.URL+"/authorize", "--token-url", p.URL+"/token", "--scope", "mail")
	if !strings.Contains(out, "now puts the mail") {
		t.Fatalf("account deliver --oauth:\n%s%s", out, errs)
	}
	if _, errs, code := v.run("", "fetch"); code != 0 || !strings.Contains(errs, "home: 5 delivered") {
		t.Fatalf("fetch: exit %d: %s", code, errs)
	}
	kept := func() string {
		var all strings.Builder
		for _, name := range []string{"secrets.json", "oauth-tokens.json", "oauth-clients.json"} {
			b, err := os.ReadFile(filepath.Join(v.config, "popvault", name))
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			all.Write(b)
		}
		return all.String()
	}
	if s := kept(); !strings.Contains(s, "/deliver") || strings.Contains(s, "imap:") {
		t.Fatalf("the sign-in is not kept as the account's target's:\n%s", s)
	}
	v.ok("", "account", "deliver", "--name", "home", "--off")
	s := kept()
	for _, tok := range p.Issued() {
		if strings.Contains(s, tok) {
			t.Fatal("a token of the target's sign-in is still kept after --off")
		}
	}
}
