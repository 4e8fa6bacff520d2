package ui

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"popvault/deliver"
	"popvault/fetch/pop3test"
	"popvault/fetch/pop3test/dovecot"
)

// TestDeliveryDialog: an account added through the dialog with "Also put
// new mail into another mailbox" checks the target on Test connection,
// keeps its password under the account's key, and its fetch delivers
// each message into the target, which the sidebar counts.
func TestDeliveryDialog(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: testMail})
	defer s.Close()
	d := dovecot.StartForTestWith(t, dovecot.Options{IMAP: true})
	u, w := newTestUI(t, s)
	pem, err := os.ReadFile(d.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	u.opts.RootCAs.AppendCertsFromPEM(pem)
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]
	var f *accountForm
	ui(func() {
		f = u.showAccountDialog(nil)
		test.Type(f.email, "me@example.org")
		test.Type(f.name, "Old")
		test.Type(f.host, "127.0.0.1")
		f.port.SetText(port)
		test.Type(f.user, "alice")
		test.Type(f.password, "secret")
		test.Tap(f.deliver.on)
		f.deliver.preset.SetSelected(imapPresets[len(imapPresets)-1].name)
		test.Type(f.deliver.host, "127.0.0.1")
		f.deliver.port.SetText(strconv.Itoa(d.IMAPTLSPort))
		test.Type(f.deliver.user, d.User2)
		test.Type(f.deliver.pwd, d.Password2)
		test.Tap(f.test)
	})
	eventually(t, "Test connection, the other mailbox too", func() bool {
		return strings.Contains(f.result.Text, "The other mailbox, INBOX on 127.0.0.1, is ready") || strings.Contains(f.result.Text, "ailed")
	})
	if !strings.Contains(f.result.Text, "is ready") {
		t.Fatalf("Test connection says %q", f.result.Text)
	}
	tap(t, w, "Save")
	eventually(t, "the account", func() bool { return len(u.accounts) == 1 && u.accounts[0].Deliver != nil })
	if pw, err := u.secrets.Get(deliver.PasswordKey(u.accounts[0])); err != nil || pw != d.Password2 {
		t.Fatalf("the other mailbox's password is not kept under the account's key (%v)", err)
	}
	tap(t, w, "Fetch")
	eventually(t, "3 delivered, in the sidebar", func() bool { return u.deliveries["Old"] == "3 delivered" })
	got, err := d.IMAPMessages("INBOX")
	if err != nil || len(got) != 3 {
		t.Fatalf("the other mailbox holds %d messages, want 3 (%v)", len(got), err)
	}
	old := u.accounts[0]
	ui(func() { u.confirmRemove("Old") })
	tap(t, w, "Remove, keep its mail")
	eventually(t, "account gone", func() bool { return len(u.accounts) == 0 })
	if pw, err := u.secrets.Get(deliver.PasswordKey(old)); err == nil && pw != "" {
		t.Error("the other mailbox's password outlived the account")
	}
}
