package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"popvault/fetch/pop3test"
)

// addOn adds an account named name on s to v, with password.
func (v *vault) addOn(s *pop3test.Server, name, password string) {
	v.t.Helper()
	ca := filepath.Join(v.t.TempDir(), "ca.pem")
	os.WriteFile(ca, s.CertPEM(), 0o600)
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	v.ok(password+"\n", "account", "add", "--name", name, "--host", "127.0.0.1", "--port", port, "--ca-file", ca,
		"--user", "alice", "--password-stdin")
}

// Two archives of one user, each with an account "home" on a server of
// its own with a password of its own: adding the second does not break
// the first's fetch, as it did when passwords were kept by name alone.
func TestTwoArchivesOneAccountName(t *testing.T) {
	first := pop3test.NewTLSServer(pop3test.Config{Messages: []pop3test.Message{{UID: "1", Data: []byte("Subject: one\r\n\r\nhi\r\n")}}})
	defer first.Close()
	second := pop3test.NewTLSServer(pop3test.Config{User: "alice", Password: "another",
		Messages: []pop3test.Message{{UID: "2", Data: []byte("Subject: two\r\n\r\nhi\r\n")}}})
	defer second.Close()
	v1, v2 := newVault(t), newVault(t)
	v2.config = v1.config // one user: one keyring (here the file that stands in for it)
	v1.addOn(first, "home", "secret")
	v2.addOn(second, "home", "another")
	for i, v := range []*vault{v1, v2} {
		if _, errs, code := v.run("", "fetch"); code != 0 || !strings.Contains(errs, "home: 1 new") {
			t.Fatalf("archive %d: exit %d: %s", i+1, code, errs)
		}
	}
}

// Switching an account from a token command to a password deletes the
// command; when that fails, the edit says so (it is saved: the account
// signs in with the password) rather than leaving the command behind in
// silence.
func TestEditSaysTokenCommandLeft(t *testing.T) {
	v := newVault(t)
	v.ok("", "account", "add", "--name", "t", "--host", "127.0.0.1", "--user", "alice", "--token-command", "echo token")
	commands := filepath.Join(v.config, "popvault", "token-commands.json")
	if b, err := os.ReadFile(commands); err != nil || !strings.Contains(string(b), "echo token") {
		t.Fatalf("the token command is not kept: %v %s", err, b)
	}
	os.WriteFile(commands, []byte("{damaged"), 0o600)
	_, errs, code := v.run("pw\n", "account", "edit", "--name", "t", "--password-stdin")
	if code == 0 || !strings.Contains(errs, "deleting the token command of t") || !strings.Contains(errs, "damaged") {
		t.Fatalf("exit %d: %q", code, errs)
	}
	os.Remove(commands)
	if _, errs, code := v.run("pw\n", "account", "edit", "--name", "t", "--password-stdin"); code != 0 {
		t.Fatalf("the edit again: %s", errs)
	}
}

// account edit changes what it is given and keeps the rest, the password
// and what was fetched: nothing is downloaded again.
func TestAccountEdit(t *testing.T) {
	d, msgs := startDovecot(t, 30)
	v := newVault(t)
	v.addAccount(d, "home", "tls", true)
	v.ok("", "fetch")
	v.ok("", "account", "edit", "--name", "home", "--timeout", "30s", "--delete-after-days", "7", "--email", "me@example.org")
	list := v.ok("", "account", "list")
	if !strings.Contains(list, "delete after 7 days") || !strings.Contains(list, "127.0.0.1") {
		t.Fatalf("account list after edit:\n%s", list)
	}
	_, errs, code := v.run("", "fetch")
	if code != 0 || !strings.Contains(errs, "home: 0 new") {
		t.Fatalf("fetch after edit: %d %q", code, errs)
	}
	if n, _ := d.Retrieved(); n != len(msgs) {
		t.Fatalf("Dovecot served %d retrievals, want %d: the edit forgot what was fetched", n, len(msgs))
	}
	// A new password through edit; the wrong one fails, the right one works.
	v.ok("wrong\n", "account", "edit", "--name", "home", "--password-stdin")
	if _, _, code := v.run("", "fetch"); code == 0 {
		t.Fatal("fetch with the wrong password succeeded")
	}
	v.ok(d.Password+"\n", "account", "edit", "--name", "home", "--password-stdin")
	v.ok("", "fetch")
	if _, errs, code := v.run("", "account", "edit", "--name", "nobody", "--timeout", "5s"); code == 0 || strings.Count(errs, "archive:") > 1 {
		t.Fatalf("edit of a missing account: %d %q", code, errs)
	}
}

// account remove keeps the account's mail in the archive unless told
// --keep-mail=false; either way the account is gone.
func TestAccountRemove(t *testing.T) {
	for _, tt := range []struct {
		flags []string
		left  int // messages listed afterwards
	}{
		{nil, 1},
		{[]string{"--keep-mail=true"}, 1},
		{[]string{"--keep-mail=false"}, 0},
	} {
		t.Run(strings.Join(append([]string{"remove"}, tt.flags...), " "), func(t *testing.T) {
			s := pop3test.NewTLSServer(pop3test.Config{Messages: []pop3test.Message{{UID: "1", Data: []byte("Subject: one\r\n\r\nhi\r\n")}}})
			defer s.Close()
			v := newVault(t)
			v.addOn(s, "home", "secret")
			v.ok("", "fetch")
			out := v.ok("", append([]string{"account", "remove", "--name", "home"}, tt.flags...)...)
			if out != "Removed home.\n" {
				t.Errorf("stdout %q", out)
			}
			if got := len(v.listJSON()); got != tt.left {
				t.Errorf("%d messages left, want %d", got, tt.left)
			}
			if list := v.ok("", "account", "list"); strings.Contains(list, "home") {
				t.Errorf("account list after removing home: %q", list)
			}
		})
	}
}
