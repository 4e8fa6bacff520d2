package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestCLIDeleteModeAndTransfer(t *testing.T) {
	d, msgs := startDovecot(t, 60)
	v := newVault(t)
	v.addAccount(d, "work", "starttls", false)
	v.ok("", "fetch")
	for _, user := range []string{d.User, d.User2} {
		if left, _ := d.CountOf(user); left != 0 {
			t.Fatalf("%d left in %s's maildrop", left, user)
		}
	}
	v.checkExact(msgs)
	dir := t.TempDir()
	for _, format := range []string{"mbox", "maildir"} {
		out := filepath.Join(dir, format)
		v.ok("", "export", "--format", format, "--out", out)
		w := newVault(t)
		if got := w.ok("", "import", "--format", format, out, "--account", "old"); !strings.Contains(got, "60 added") {
			t.Fatalf("import %s: %s", format, got)
		}
		// Searchable when import ends, unless told not to index.
		if n := w.searchable(); n != 60 {
			t.Fatalf("after import %s the search index holds %d of 60", format, n)
		}
		if format == "mbox" {
			x := newVault(t)
			x.ok("", "import", "--format", format, out, "--no-index")
			if n := x.searchable(); n != 0 {
				t.Fatalf("import --no-index indexed %d", n)
			}
		}
		if got := w.ok("", "import", "--format", format, out); !strings.Contains(got, "0 added") {
			t.Fatalf("second import %s: %s", format, got)
		}
		w.checkExact(msgs)
	}
	v.ok("", "export", "--format", "eml", "--out", filepath.Join(dir, "eml"))
	files, _ := filepath.Glob(filepath.Join(dir, "eml", "*.eml"))
	if len(files) != 60 {
		t.Fatalf("%d .eml files", len(files))
	}
}

// TestImportFromPeers imports a Maildir written by mpop and an mbox
// written by fetchmail's MDA, each fetched from Dovecot: nothing lost,
// and nothing added by a second import.
func TestImportFromPeers(t *testing.T) {
	d, msgs := startDovecot(t, 40)
	dir := t.TempDir()
	want := map[string]bool{}
	for _, m := range msgs {
		for _, line := range strings.Split(string(m), "\r\n") {
			if strings.HasPrefix(line, "Message-ID:") {
				want[strings.Trim(strings.TrimSpace(line[11:]), "<>")] = true
			}
		}
	}
	wantIDs := make([]string, 0, len(want))
	for id := range want {
		wantIDs = append(wantIDs, id)
	}
	sort.Strings(wantIDs)

	// mpop into a Maildir.
	md := filepath.Join(dir, "mpop-maildir")
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.MkdirAll(filepath.Join(md, sub), 0o700)
	}
	rc := filepath.Join(dir, "mpoprc")
	os.WriteFile(rc, []byte(fmt.Sprintf("account d\nhost 127.0.0.1\nport %d\ntls on\ntls_starttls off\ntls_trust_file %s\nauth user\nuser %s\npassword %s\nkeep on\nuidls_file %s/uidls\ndelivery maildir %s\n",
		d.TLSPort, d.CAFile, d.User, d.Password, dir, md)), 0o600)
	if out, err := exec.Command("mpop", "-C", rc, "-q", "d").CombinedOutput(); err != nil {
		t.Fatalf("mpop: %v: %s", err, out)
	}

	// fetchmail into an mbox, through an MDA that writes mbox (mboxo) form.
	mbox := filepath.Join(dir, "fetchmail.mbox")
	mda := filepath.Join(dir, "mda.sh")
	os.WriteFile(mda, []byte("#!/bin/sh\n{ echo \"From fetchmail $(date -u '+%a %b %e %H:%M:%S %Y')\"; sed 's/^\\(>*From \\)/>\\1/'; echo; } >> "+mbox+"\n"), 0o700)
	fetchmailrc := filepath.Join(dir, "fetchmailrc")
	os.WriteFile(fetchmailrc, []byte(fmt.Sprintf("set no bouncemail\npoll localhost with proto POP3 port %d\n  user '%s' there with password '%s' is 'root' here\n  ssl sslcertck sslcertfile '%s'\n  keep\n  mda \"%s\"\n",
		d.TLSPort, d.User, d.Password, d.CAFile, mda)), 0o600)
	c := exec.Command("fetchmail", "-f", fetchmailrc, "--nosyslog", "-d0", "--silent")
	c.Env = append(os.Environ(), "HOME="+dir, "FETCHMAILHOME="+dir)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("fetchmail: %v: %s", err, out)
	}

	for _, src := range []struct{ format, path string }{{"maildir", md}, {"mbox", mbox}} {
		v := newVault(t)
		if out := v.ok("", "import", "--format", src.format, src.path); !strings.Contains(out, "40 added") {
			t.Fatalf("import of %s: %s", src.format, out)
		}
		if out := v.ok("", "import", "--format", src.format, src.path); !strings.Contains(out, "0 added") {
			t.Fatalf("second import of %s: %s", src.format, out)
		}
		var got []string
		for _, l := range v.listJSON() {
			got = append(got, l.MessageID)
		}
		sort.Strings(got)
		sameIDs(t, "import of "+src.format, got, wantIDs)
	}
}
