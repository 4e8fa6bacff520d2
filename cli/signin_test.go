package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"popvault/fetch/pop3test"
	"popvault/oauth/oauthtest"
)

// signInCLI runs an account add or signin that signs in with OAuth,
// plays the browser at the address it prints, and returns what it said.
func (v *vault) signInCLI(p *oauthtest.Server, args ...string) (stdout, stderr string) {
	v.t.Helper()
	return v.signInCLIWith(p, "", args...)
}

// signInCLIWith is signInCLI with stdin (a client secret, for one).
// Standard error is a pipe with the system's buffer, as a process's
// would be: the command goes on writing while the test plays the browser.
func (v *vault) signInCLIWith(p *oauthtest.Server, stdin string, args ...string) (stdout, stderr string) {
	v.t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		v.t.Fatal(err)
	}
	defer r.Close()
	var out syncBuffer
	env := v.env(strings.NewReader(stdin), &out, w)
	exit := make(chan int, 1)
	go func() {
		defer w.Close()
		exit <- Run(context.Background(), append([]string{"--archive", v.path}, args...), env)
	}()
	var said strings.Builder
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		said.WriteString(line)
		if strings.HasPrefix(line, "http") {
			if err := p.Browser(strings.TrimSpace(line)); err != nil {
				v.t.Fatal(err)
			}
		}
		if err != nil {
			break
		}
	}
	if code := <-exit; code != 0 {
		v.t.Fatalf("popvault %v: exit %d: %s", args, code, said.String())
	}
	return out.String(), said.String()
}

// An account that signs in with OAuth, from the command line: no
// password typed; it fetches, signs in again, and says what to do once
// revoked. No token and no client secret ever reaches the archive, the
// debug log, stdout or stderr.
func TestOAuthCommandLine(t *testing.T) {
	const secret = "installed-app-secret-4b1d"
	p := oauthtest.NewServer("popvault-test", secret)
	defer p.Close()
	s := pop3test.NewTLSServer(pop3test.Config{Messages: []pop3test.Message{{UID: "1", Data: []byte("Subject: hi\r\n\r\nhello\r\n")}}, ValidToken: p.Valid})
	defer s.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, s.CertPEM(), 0o600)
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	v := newVault(t)
	var said strings.Builder
	out, errs := v.signInCLIWith(p, secret+"\n", "account", "add", "--name", "o", "--email", "alice@example.org", "--user", "alice",
		"--oauth", "custom", "--client-id", "popvault-test", "--client-secret-stdin",
		"--auth-url", p.URL+"/authorize", "--token-url", p.URL+"/token", "--scope", "mail",
		"--host", "127.0.0.1", "--port", port, "--ca-file", ca, "--no-browser")
	said.WriteString(out + errs)
	if !strings.Contains(out, "Added o") || !strings.Contains(errs, "Signed in") {
		t.Fatalf("account add:\n%s%s", out, errs)
	}
	fetchOut, fetchErrs, code := v.run("", "fetch", "--debug")
	said.WriteString(fetchOut + fetchErrs)
	if code != 0 || !strings.Contains(fetchErrs, "o: 1 new") || s.Count("PASS") != 0 {
		t.Fatalf("fetch: %d %s", code, fetchErrs)
	}
	out, errs = v.signInCLI(p, "account", "signin", "--name", "o", "--no-browser")
	said.WriteString(out + errs)
	p.Advance(2 * time.Hour)
	v.ok("", "fetch", "--quiet")
	p.Revoke()
	_, errs, code = v.run("", "fetch")
	said.WriteString(errs)
	if code == 0 || !strings.Contains(errs, "popvault account signin --name o") {
		t.Fatalf("a revoked sign-in: %d %q", code, errs)
	}

	archive, _ := os.ReadFile(v.path)
	clients, err := os.ReadFile(filepath.Join(v.config, "popvault", "oauth-clients.json"))
	if err != nil || !strings.Contains(string(clients), "popvault-test") {
		t.Fatalf("oauth-clients.json: %v %s", err, clients)
	}
	for _, leak := range append(p.Issued(), secret) {
		switch {
		case bytes.Contains(archive, []byte(leak)):
			t.Errorf("the archive holds a token or the client secret")
		case bytes.Contains(clients, []byte(leak)):
			t.Errorf("oauth-clients.json holds a token or the client secret: %s", clients)
		case holds(said.String(), leak):
			t.Errorf("popvault printed a token or the client secret:\n%s", said.String())
		}
	}
	if len(p.Issued()) < 4 {
		t.Fatalf("only %d tokens issued: the check above looked for little", len(p.Issued()))
	}
	if b, _ := io.ReadAll(bytes.NewReader(archive)); !bytes.Contains(b, []byte(`"oauth":"custom"`)) {
		t.Fatal("the archive does not say the account signs in with OAuth")
	}
}

// holds reports whether text holds secret as it is, or inside a word
// that is base64 (as a SASL response would carry it).
func holds(text, secret string) bool {
	if strings.Contains(text, secret) {
		return true
	}
	for _, word := range strings.Fields(text) {
		if b, err := base64.StdEncoding.DecodeString(word); err == nil && bytes.Contains(b, []byte(secret)) {
			return true
		}
	}
	return false
}

// A client secret on the command line would show to every user of the
// machine (ps): --client-secret is refused, with what to do instead, and
// the refusal does not repeat the secret.
func TestClientSecretNotInArguments(t *testing.T) {
	v := newVault(t)
	for _, args := range [][]string{
		{"account", "add", "--name", "o", "--email", "a@example.org", "--host", "pop.example.org", "--oauth", "custom",
			"--client-id", "x", "--client-secret", "s3cr3t-value", "--auth-url", "http://auth.example.org/a", "--token-url", "http://auth.example.org/t", "--scope", "mail"},
		{"restore", "--host", "imap.example.org", "--user", "u", "--mailbox", "INBOX", "--oauth-account", "o", "--client-secret", "s3cr3t-value"},
	} {
		_, errs, code := v.run("", args...)
		if code == 0 || !strings.Contains(errs, "--client-secret-stdin") || strings.Contains(errs, "s3cr3t-value") {
			t.Errorf("%s: exit %d: %q", args[0], code, errs)
		}
	}
}

// restore --oauth-account sends the account's sign-in only to the
// account's own server (for Google and Microsoft, to theirs): another
// server named is refused with the reason, before any token is asked
// for or any connection made.
func TestRestoreSignInOnlyToItsServer(t *testing.T) {
	p := oauthtest.NewServer("popvault-test", "")
	defer p.Close()
	s := pop3test.NewTLSServer(pop3test.Config{Messages: []pop3test.Message{{UID: "1", Data: []byte("Subject: hi\r\n\r\nhello\r\n")}}, ValidToken: p.Valid})
	defer s.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(ca, s.CertPEM(), 0o600)
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	v := newVault(t)
	v.signInCLI(p, "account", "add", "--name", "o", "--user", "alice", "--oauth", "custom", "--client-id", "popvault-test",
		"--auth-url", p.URL+"/authorize", "--token-url", p.URL+"/token", "--scope", "mail",
		"--host", "127.0.0.1", "--port", port, "--ca-file", ca, "--no-browser")
	v.ok("", "fetch", "--quiet")
	// Access tokens live in memory: a restore that went ahead would renew
	// the sign-in first.
	renewals := p.Count("refresh_token")
	_, errs, code := v.run("", "restore", "--host", "localhost", "--port", port, "--ca-file", ca, "--user", "alice",
		"--mailbox", "INBOX", "--oauth-account", "o")
	if code == 0 || !strings.Contains(errs, "the sign-in of o goes only to its own server (127.0.0.1), never to localhost") || p.Count("refresh_token") != renewals {
		t.Fatalf("exit %d, %d renewals: %q", code, p.Count("refresh_token")-renewals, errs)
	}
}
