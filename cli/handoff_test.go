package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"popvault/archive"
	"popvault/fetch/pop3test"
	"popvault/handoff"
)

// window stands in for the window: it holds the archive and runs the
// commands handed to it, as cmd/popvault's window does.
func (v *vault) window() (arch *archive.Archive, stop func()) {
	v.t.Helper()
	arch, err := archive.Open(v.path, nil)
	if err != nil {
		v.t.Fatal(err)
	}
	s, err := handoff.Listen(v.path, func(ctx context.Context, req handoff.Request, stdout, stderr io.Writer) int {
		env := v.env(nil, stdout, stderr)
		env.Archive, env.Dir = arch, req.Dir
		return Run(ctx, req.Args, env)
	})
	if err != nil {
		arch.Close()
		v.t.Fatal(err)
	}
	return arch, func() { s.Close(); arch.Close() }
}

// TestCommandsWhileTheWindowRuns: with the archive held by the window, a
// scheduled fetch, list and status are run by the window and end as they
// would alone: the same output, the same exit status.
func TestCommandsWhileTheWindowRuns(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: []pop3test.Message{{UID: "1", Data: []byte("Subject: one\r\n\r\nhi\r\n")}}})
	defer s.Close()
	wrong := pop3test.NewTLSServer(pop3test.Config{User: "alice", Password: "changed"})
	defer wrong.Close()
	v := newVault(t)
	v.addOn(s, "home", "secret")
	_, stop := v.window()
	defer stop()

	out, errs, code := v.run("", "fetch", "--quiet")
	if code != 0 || out != "" || errs != "" {
		t.Fatalf("fetch --quiet: exit %d, %q, %q", code, out, errs)
	}
	if got := v.listJSON(); len(got) != 1 || got[0].Subject != "one" {
		t.Fatalf("list: %+v", got)
	}
	if out := v.ok("", "status"); !strings.HasPrefix(out, "home: last backup a moment ago, 1 messages") {
		t.Fatalf("status: %q", out)
	}
	stop()

	// A failing account: exit 1 and the failure, as alone.
	v.addOn(wrong, "old isp", "secret")
	_, aloneErrs, aloneCode := v.run("", "fetch", "--quiet")
	_, stop = v.window()
	defer stop()
	_, errs, code = v.run("", "fetch", "--quiet")
	if code != 1 || code != aloneCode || errs != aloneErrs {
		t.Fatalf("a failing fetch handed to the window: exit %d, %q; alone: exit %d, %q", code, errs, aloneCode, aloneErrs)
	}
}

// TestAccountChangesWhileTheWindowRuns: commands that change accounts, and
// import, are not handed to the window: each says, whole, that the window
// has the archive open and where in it to do the same, and changes
// nothing; account list, which only reads, is handed over. With another
// command-line popvault holding the archive (a scheduled backup), they
// say that instead.
func TestAccountChangesWhileTheWindowRuns(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{})
	defer s.Close()
	v := newVault(t)
	v.addOn(s, "home", "secret")
	eml := filepath.Join(t.TempDir(), "one.eml")
	os.WriteFile(eml, []byte("Subject: one\r\n\r\nhi\r\n"), 0o600)
	_, stop := v.window()
	defer stop()

	const open = "popvault: the popvault window has this archive open; close it, or "
	cases := map[string]struct {
		stdin string
		args  []string
		said  string
	}{
		"add": {"secret\n", []string{"account", "add", "--name", "new", "--host", "127.0.0.1", "--user", "bob", "--password-stdin"},
			open + "add the account there: Add account on the toolbar\n"},
		"edit":    {"", []string{"account", "edit", "--name", "home", "--user", "carol"}, open + "edit the account there: select it in the sidebar and press Edit\n"},
		"remove":  {"", []string{"account", "remove", "--name", "home"}, open + "remove the account there: select it in the sidebar and press Remove\n"},
		"import":  {"", []string{"import", eml}, open + "import there: File, then Import mail files… or Import a folder… (Settings imports from another program)\n"},
		"reindex": {"", []string{"reindex"}, "popvault: the popvault window has this archive open; close it, then run popvault reindex again\n"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out, errs, code := v.run(c.stdin, c.args...)
			if code != 1 || out != "" || errs != c.said {
				t.Errorf("exit %d, stdout %q, stderr %q, want %q", code, out, errs, c.said)
			}
		})
	}
	if out := v.ok("", "account", "list"); !strings.Contains(out, "home") || strings.Contains(out, "new") || strings.Contains(out, "carol") {
		t.Errorf("account list, handed to the window: %q", out)
	}
	stop()

	// Another command-line popvault (a scheduled backup) holds it.
	held, err := archive.Open(v.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	_, errs, code := v.run("", "account", "remove", "--name", "home")
	if want := "popvault: another popvault is working on this archive (a scheduled backup, perhaps); run popvault account remove again when it has finished\n"; code != 1 || errs != want {
		t.Errorf("account remove beside another popvault: exit %d, %q, want %q", code, errs, want)
	}
}

// waitWriter signals once when what is written holds want.
type waitWriter struct {
	syncBuffer
	want string
	once sync.Once
	seen chan struct{}
}

func (w *waitWriter) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	if strings.Contains(w.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return n, err
}

// TestOverlappingFetchesWait: a fetch that finds the archive held by
// another command-line popvault (an earlier scheduled run still going)
// waits for it to end, then fetches, and fails nothing.
func TestOverlappingFetchesWait(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: []pop3test.Message{{UID: "1", Data: []byte("Subject: one\r\n\r\nhi\r\n")}}})
	defer s.Close()
	v := newVault(t)
	v.addOn(s, "home", "secret")
	first, err := archive.Open(v.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := &waitWriter{want: "waiting for it to end", seen: make(chan struct{})}
	var out syncBuffer
	done := make(chan int)
	go func() {
		done <- Run(context.Background(), []string{"--archive", v.path, "fetch"}, v.env(nil, &out, errs))
	}()
	select {
	case <-errs.seen:
	case code := <-done:
		first.Close()
		t.Fatalf("the second fetch ended at once: exit %d, %q", code, errs.String())
	}
	first.Close()
	if code := <-done; code != 0 || !strings.Contains(errs.String(), "home: 1 new") {
		t.Fatalf("the second fetch: exit %d, %q", code, errs.String())
	}
}
