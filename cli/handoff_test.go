package cli

import (
	"context"
	"io"
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
	// Commands that change the archive's accounts still say it is in use.
	if _, errs, code := v.run("", "account", "remove", "--name", "home"); code != 1 || !strings.Contains(errs, "in use") {
		t.Fatalf("account remove while the window runs: exit %d, %q", code, errs)
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
