package ui

import (
	"bytes"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/credentials"
	"popvault/fetch"
	"popvault/fetch/pop3test"
)

var testMail = []pop3test.Message{
	{UID: "1", Data: []byte("From: Ada <ada@example.org>\r\nTo: me@example.org\r\nSubject: Quarterly invoice\r\nDate: Mon, 2 Jan 2023 10:00:00 +0000\r\n\r\nPlease pay.\r\n")},
	{UID: "2", Data: []byte("From: Bob <bob@example.org>\r\nSubject: Photos\r\nDate: Tue, 3 Jan 2023 10:00:00 +0000\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\"../../evil.sh\"\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n")},
	{UID: "3", Data: []byte("From: =?ISO-8859-1?Q?Andr=E9?= <andre@example.org>\r\nSubject: =?ISO-8859-1?Q?caf=E9?=\r\nDate: Wed, 4 Jan 2023 10:00:00 +0000\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n<p>Un caf\xe9 <img src=\"http://tracker.example/p.gif\"></p>\r\n")},
}

// eventually polls cond on the UI goroutine until it holds. The limit is
// generous: make test runs the heavy command-line tests beside these.
// localPath is the path a file: address opened by the window names, on
// any system (file:///C:/Users/... on Windows).
func localPath(t *testing.T, address string) string {
	t.Helper()
	u, err := url.Parse(address)
	if err != nil || u.Scheme != "file" {
		t.Fatalf("not a file: address: %q", address)
	}
	if runtime.GOOS == "windows" {
		return filepath.FromSlash(strings.TrimPrefix(u.Path, "/"))
	}
	return u.Path
}

// modesKept: Windows keeps no Unix modes (the user profile's ACL protects
// popvault's files there), so the tests check modes elsewhere only.
var modesKept = runtime.GOOS != "windows"

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 1500; i++ {
		ok := false
		ui(func() { ok = cond() })
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// tap waits for a button with this text to show on the window or its
// dialogs, and taps it, on the UI goroutine.
func tap(t *testing.T, w fyne.Window, text string) {
	t.Helper()
	var b *widget.Button
	eventually(t, "a button "+text, func() bool { b = button(w, text); return b != nil })
	ui(func() { test.Tap(b) })
}

// button finds a shown button by its text on the window or its dialogs,
// or nil. Call it on the UI goroutine (where a t.Fatal would stop the
// goroutine every test needs: so it says nothing itself).
func button(w fyne.Window, text string) *widget.Button {
	var found *widget.Button
	roots := append(append([]fyne.CanvasObject(nil), w.Canvas().Overlays().List()...), w.Content())
	walkShown(roots, func(o fyne.CanvasObject) {
		if b, ok := unwrap(o).(*widget.Button); ok && b.Text == text && found == nil {
			found = b
		}
	})
	return found
}

// walkShown calls f for every visible object under roots (a window's
// overlays, its dialogs, and its content), through containers and
// widgets' renderers. Call it on the UI goroutine.
func walkShown(roots []fyne.CanvasObject, f func(fyne.CanvasObject)) {
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		f(o)
		if c, ok := o.(*fyne.Container); ok {
			for _, child := range c.Objects {
				walk(child)
			}
		}
		if w, ok := o.(fyne.Widget); ok {
			for _, child := range test.WidgetRenderer(w).Objects() {
				walk(child)
			}
		}
	}
	for _, o := range roots {
		walk(o)
	}
}

func newTestUI(t *testing.T, s *pop3test.Server) (*UI, fyne.Window) {
	return newTestUIWith(t, s, Options{})
}

// newTestUIWith is newTestUI with options; the archive, the password
// store and the trust in s are the test's.
func newTestUIWith(t *testing.T, s *pop3test.Server, opts Options) (*UI, fyne.Window) {
	var logs bytes.Buffer
	log.SetOutput(&logs)
	t.Cleanup(func() {
		log.SetOutput(os.Stderr)
		if strings.Contains(logs.String(), "Error in Fyne call thread") {
			t.Errorf("a widget was touched off the Fyne goroutine:\n%s", logs.String())
		}
	})
	a := test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "a.db")
	var u *UI
	var w fyne.Window
	var err error
	ui(func() {
		w = a.NewWindow("popvault")
		opts.ArchivePath, opts.Secrets, opts.RootCAs = path, &credentials.MemorySecrets{}, s.CertPool()
		u, err = New(a, w, opts)
		if err == nil {
			w.SetContent(u.Content())
			w.Resize(fyne.NewSize(1100, 700))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(u.Close)
	return u, w
}

func TestWindowFlow(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: testMail})
	defer s.Close()
	u, w := newTestUI(t, s)
	port := s.Addr[strings.LastIndexByte(s.Addr, ':')+1:]

	// Add an account through the dialog.
	var f *accountForm
	ui(func() {
		f = u.showAccountDialog(nil)
		test.Type(f.email, "me@example.org")
		test.Type(f.name, "Home")
		test.Type(f.host, "127.0.0.1")
		f.port.SetText(port)
		test.Type(f.user, "alice")
		test.Type(f.password, "secret")
		test.Tap(f.test)
	})
	eventually(t, "Test connection", func() bool { return strings.HasPrefix(f.result.Text, "Connected: 3 messages") })
	tap(t, w, "Save")
	eventually(t, "the account in the sidebar", func() bool { return len(u.accounts) == 1 && u.accounts[0].Name == "Home" })
	var home fetch.Account
	ui(func() { home = u.accounts[0] })
	if secret, _ := credentials.Password(u.secrets, home); secret != "secret" || home.ID == "" {
		t.Fatal("password not in the secret store, under the account's key")
	}

	// Fetch, and see the messages, newest first.
	tap(t, w, "Fetch")
	eventually(t, "3 messages listed, newest first", func() bool { return len(u.list.items) == 3 && u.list.items[0].text.subject == "café" })
	eventually(t, "counts", func() bool { return u.counts["Home"].Total == 3 && u.counts["Home"].Unread == 3 })

	// Open the HTML message: decoded, as text, nothing remote.
	ui(func() { u.list.widget.Select(0) })
	eventually(t, "the reader", func() bool { return u.reader.view != nil && u.reader.view.Subject == "café" })
	var body string
	ui(func() { body = strings.Join(u.reader.texts, "\n") })
	if !strings.Contains(body, "Un café") || strings.Contains(body, "tracker") {
		t.Fatalf("body %q", body)
	}
	eventually(t, "marked read", func() bool { return u.counts["Home"].Unread == 2 })

	// Open the one with an attachment and save it under its bare name.
	ui(func() { u.list.widget.Select(1) })
	eventually(t, "the attachment", func() bool { return u.reader.view != nil && len(u.reader.view.Attachments) == 1 })
	var att archive.Attachment
	var id uint64
	ui(func() { att, id = u.reader.view.Attachments[0], u.reader.view.ID })
	if att.Name != "evil.sh" {
		t.Fatalf("offered name %q", att.Name)
	}
	out := filepath.Join(t.TempDir(), att.Name)
	file, _ := os.Create(out)
	if err := u.reader.writeAttachment(id, att.Index, file); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(out); string(b) != "hello" {
		t.Fatalf("saved %q", b)
	}

	// Search as you type.
	ui(func() { test.Type(u.search, "invoice") })
	eventually(t, "search results", func() bool { return len(u.list.items) == 1 && u.list.items[0].text.subject == "Quarterly invoice" })
	// Full text: a word of the body, in the HTML's text and an attachment's
	// name; the reader marks the matching line.
	for q, want := range map[string]string{"cafe": "café", `"see attached"`: "Photos", "filename:evil": "Photos", "from:ada pay": "Quarterly invoice"} {
		ui(func() { u.search.SetText(q) })
		eventually(t, "results for "+q, func() bool { return len(u.list.items) == 1 && u.list.items[0].text.subject == want })
	}
	ui(func() { u.search.SetText("please") })
	eventually(t, "the body search", func() bool { return len(u.list.items) == 1 && u.list.items[0].text.subject == "Quarterly invoice" })
	ui(func() { u.list.widget.Select(0) })
	eventually(t, "the match marked", func() bool {
		return u.reader.view != nil && u.reader.view.Subject == "Quarterly invoice" && u.reader.marked[0] && strings.Contains(u.status.Text, "1 message matches")
	})
	ui(func() { u.search.SetText("before:tomorrow") })
	eventually(t, "a readable query error", func() bool { return strings.HasPrefix(u.status.Text, "Search: before:tomorrow: wants a date") })
	ui(func() { u.search.SetText("") })
	eventually(t, "all again", func() bool { return len(u.list.items) == 3 })

	// Remove the account, keeping its mail.
	ui(func() { u.sidebar.list.Select(1) })
	eventually(t, "account selected", func() bool { return u.selected == "Home" })
	ui(func() { u.confirmRemove("Home") })
	tap(t, w, "Remove, keep its mail")
	eventually(t, "account gone", func() bool { return len(u.accounts) == 0 })
	eventually(t, "mail kept", func() bool { return u.counts[""].Total == 3 })
	if _, err := credentials.Password(u.secrets, home); err == nil {
		t.Fatal("the password outlived the account")
	}
}

// TestKeyboard drives the list as a keyboard user does: Enter in the
// search box opens the first result, the arrows open the next and the
// previous, Delete deletes and opens the one that takes its place.
func TestKeyboard(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, w := newTestUI(t, s)
	var batch []archive.Incoming
	for _, m := range testMail {
		batch = append(batch, archive.Incoming{Account: "Home", UID: m.UID, Raw: m.Data})
	}
	if _, err := u.arch.Store(batch); err != nil {
		t.Fatal(err)
	}
	ui(u.list.reload)
	eventually(t, "3 messages listed", func() bool { return len(u.list.items) == 3 })
	opened := func(subject string) {
		t.Helper()
		eventually(t, subject+" open", func() bool { return u.reader.view != nil && u.reader.view.Subject == subject })
	}
	// key goes where the desktop driver sends it: to the focused widget,
	// else to the window's own handler.
	key := func(name fyne.KeyName) {
		ui(func() {
			if f := w.Canvas().Focused(); f != nil {
				f.TypedKey(&fyne.KeyEvent{Name: name})
			} else {
				w.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: name})
			}
		})
	}

	ui(func() { w.Canvas().Focus(u.search) })
	key(fyne.KeyReturn)
	opened("café")
	eventually(t, "the keyboard in the list", func() bool { return w.Canvas().Focused() == u.list.widget })
	key(fyne.KeyDown)
	opened("Photos")
	key(fyne.KeyDown)
	opened("Quarterly invoice")
	key(fyne.KeyDown) // the end: stays
	key(fyne.KeyUp)
	opened("Photos")
	key(fyne.KeyHome)
	opened("café")
	key(fyne.KeyEnd)
	opened("Quarterly invoice")

	key(fyne.KeyDelete)
	key(fyne.KeyEscape)
	eventually(t, "Escape keeps it", func() bool { return u.asking == nil && len(u.list.items) == 3 })
	key(fyne.KeyDelete)
	key(fyne.KeyReturn)
	eventually(t, "Enter deletes, and opens the one above", func() bool {
		return len(u.list.items) == 2 && u.reader.view != nil && u.reader.view.Subject == "Photos"
	})
	key(fyne.KeyDelete)
	tap(t, w, "Keep")
	eventually(t, "Keep keeps it", func() bool { return u.asking == nil && len(u.list.items) == 2 })

	// Enter before typing pauses waits for the search's own results.
	ui(func() { w.Canvas().Focus(u.search); test.Type(u.search, "café") })
	key(fyne.KeyReturn)
	opened("café")
	eventually(t, "one result for café", func() bool { return len(u.list.items) == 1 })
	key(fyne.KeyDelete)
	key(fyne.KeyReturn)
	eventually(t, "the count after a delete", func() bool { return len(u.list.items) == 0 && u.status.Text == "Message deleted · 0 messages match" })
}

// addAccount adds an account on s with password to the window's archive
// and waits for the window to show it.
func addAccount(t *testing.T, u *UI, s *pop3test.Server, name, password string) {
	t.Helper()
	port, _ := strconv.Atoi(s.Addr[strings.LastIndexByte(s.Addr, ':')+1:])
	if err := fetch.SaveAccount(u.arch, fetch.Account{Name: name, Host: "127.0.0.1", Port: port, User: "alice", KeepOnServer: true}); err != nil {
		t.Fatal(err)
	}
	u.secrets.Set(name, password)
	ui(u.reloadAccounts)
	eventually(t, "the account "+name, func() bool { return len(u.accounts) == 1 && u.accounts[0].Name == name })
}

func TestFetchErrorShownOnAccount(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: testMail})
	defer s.Close()
	u, w := newTestUI(t, s)
	addAccount(t, u, s, "Bad", "wrong")
	ui(u.fetchNow)
	eventually(t, "the failure in words on the account", func() bool {
		return u.problems["Bad"] == "Bad refused the password" && strings.Contains(u.fixes["Bad"].detail, "[AUTH]")
	})
	// Whole in the sidebar (wrapped, not cut off), with its fix beside it,
	// which opens the account's dialog at the password.
	var shown *widget.Label
	eventually(t, "the words in the sidebar", func() bool {
		walkShown([]fyne.CanvasObject{u.sidebar.widget}, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && l.Text == "Bad refused the password" {
				shown = l
			}
		})
		return shown != nil
	})
	if shown.Truncation != fyne.TextTruncateOff || shown.Wrapping != fyne.TextWrapWord {
		t.Fatal("the failure may be cut off in the sidebar")
	}
	tap(t, w, "Change password…")
	eventually(t, "the dialog at the password", func() bool {
		f, ok := unwrap(w.Canvas().Focused()).(*widget.Entry)
		return ok && f.Password && button(w, "Save") != nil
	})
}

func TestPresets(t *testing.T) {
	tests := map[string]string{
		"me@gmail.com": "pop.gmail.com", "Me@GoogleMail.com": "pop.gmail.com", "x@hotmail.com": "outlook.office365.com",
		"y@yahoo.co.uk": "pop.mail.yahoo.com", "z@gmx.de": "pop.gmx.net", "a@icloud.com": "", "b@example.org": "-",
	}
	for email, host := range tests {
		p, ok := PresetFor(email)
		if host == "-" {
			if ok {
				t.Errorf("%s: unexpected preset %+v", email, p)
			}
			continue
		}
		if !ok || p.Host != host || p.Note == "" {
			t.Errorf("%s: %+v", email, p)
		}
	}
}

func TestAccountDialogPresetAndPlainWarning(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	u, _ := newTestUI(t, s)
	ui(func() {
		f := u.showAccountDialog(nil)
		test.Type(f.email, "someone@gmail.com")
		if f.host.Text != "pop.gmail.com" || f.port.Text != "995" || f.user.Text != "someone@gmail.com" || !strings.Contains(f.note.Text, "app password") {
			t.Errorf("preset not applied: %q %q %q %q", f.host.Text, f.port.Text, f.user.Text, f.note.Text)
		}
		f.security.SetSelectedIndex(2)
		if !strings.Contains(f.warning.Text, "plain text") || f.port.Text != "110" {
			t.Errorf("no warning for no encryption: %q, port %s", f.warning.Text, f.port.Text)
		}
		a, err := f.account()
		if err != nil || a.Security != fetch.SecurityPlain {
			t.Errorf("%+v %v", a, err)
		}
	})
}

func TestWrapLines(t *testing.T) {
	long := strings.Repeat("word ", 50)
	got := wrapLines("short\r\n\tindented\n"+long, 40)
	if got[0] != "short" || got[1] != "    indented" || len(got) < 8 {
		t.Fatalf("%q", got)
	}
	for _, l := range got {
		if len([]rune(l)) > 40 {
			t.Fatalf("line too long: %q", l)
		}
	}
	if got := wrapLines(strings.Repeat("x", 95), 40); len(got) != 3 || got[2] != strings.Repeat("x", 15) {
		t.Fatalf("unbroken: %q", got)
	}
}

func TestRunWithoutDisplay(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux has a desktop that may be missing (DISPLAY, WAYLAND_DISPLAY)")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	if err := Run(Options{}); err != ErrNoDisplay {
		t.Fatalf("err = %v", err)
	}
}

// unwrap is the Fyne widget inside one of the dialogs' controls
// (dialogkeys.go), so that the helpers find them as Fyne's; o otherwise.
func unwrap(o any) any {
	switch w := o.(type) {
	case *dialogButton:
		return &w.Button
	case *dialogEntry:
		return &w.Entry
	case *dialogCheck:
		return &w.Check
	case *dialogSelect:
		return &w.Select
	case *dialogLink:
		return &w.Hyperlink
	}
	return o
}
