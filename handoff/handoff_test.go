package handoff

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestForward(t *testing.T) {
	archive := filepath.Join(t.TempDir(), "archive.db")
	s, err := Listen(archive, func(ctx context.Context, req Request, stdout, stderr io.Writer) int {
		fmt.Fprintf(stdout, "ran %s in %s\n", strings.Join(req.Args, " "), req.Dir)
		fmt.Fprintln(stderr, "popvault: one account failed")
		return 1
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if fi, err := os.Stat(SocketPath(archive)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the socket: %v, %v", fi, err)
	}
	var out, errs bytes.Buffer
	code, err := Forward(context.Background(), archive, Request{Args: []string{"fetch", "--quiet"}, Dir: "/home/ann"}, &out, &errs)
	if err != nil || code != 1 || out.String() != "ran fetch --quiet in /home/ann\n" || errs.String() != "popvault: one account failed\n" {
		t.Fatalf("Forward: %d, %v, stdout %q, stderr %q", code, err, out.String(), errs.String())
	}
}

func TestForwardWithNoWindow(t *testing.T) {
	archive := filepath.Join(t.TempDir(), "archive.db")
	if _, err := Forward(context.Background(), archive, Request{Args: []string{"list"}}, io.Discard, io.Discard); !errors.Is(err, ErrNoWindow) {
		t.Fatalf("Forward with nothing listening: %v, want ErrNoWindow", err)
	}
	// A socket left by a window that crashed: nothing answers on it.
	s, err := Listen(archive, func(context.Context, Request, io.Writer, io.Writer) int { return 0 })
	if err != nil {
		t.Fatal(err)
	}
	s.ln.(interface{ SetUnlinkOnClose(bool) }).SetUnlinkOnClose(false)
	s.ln.Close()
	if _, err := os.Stat(SocketPath(archive)); err != nil {
		t.Fatalf("the test meant to leave a socket behind: %v", err)
	}
	if _, err := Forward(context.Background(), archive, Request{Args: []string{"list"}}, io.Discard, io.Discard); !errors.Is(err, ErrNoWindow) {
		t.Fatalf("Forward to a socket left behind: %v, want ErrNoWindow", err)
	}
	// The next window replaces it.
	s, err = Listen(archive, func(context.Context, Request, io.Writer, io.Writer) int { return 7 })
	if err != nil {
		t.Fatalf("Listen over a socket left behind: %v", err)
	}
	defer s.Close()
	if code, err := Forward(context.Background(), archive, Request{}, io.Discard, io.Discard); code != 7 || err != nil {
		t.Fatalf("Forward: %d, %v", code, err)
	}
}

// TestClientGoingAwayEndsTheCommand: a cron job killed while the window
// runs its fetch ends that fetch (its context), as the fetch alone would
// have ended with it.
func TestClientGoingAwayEndsTheCommand(t *testing.T) {
	archive := filepath.Join(t.TempDir(), "archive.db")
	started, ended := make(chan struct{}), make(chan struct{})
	s, err := Listen(archive, func(ctx context.Context, _ Request, stdout, _ io.Writer) int {
		close(started)
		<-ctx.Done()
		close(ended)
		return 130
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	if _, err := Forward(ctx, archive, Request{Args: []string{"fetch"}}, io.Discard, io.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("Forward cancelled: %v", err)
	}
	<-ended
}

func TestLongArchivePath(t *testing.T) {
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir())
	long := filepath.Join(t.TempDir(), strings.Repeat("a", 120), "archive.db")
	if p := SocketPath(long); len(p) > maxSocketPath || !strings.HasPrefix(p, os.Getenv("XDG_RUNTIME_DIR")) {
		t.Fatalf("SocketPath(%d bytes) = %s", len(long), p)
	}
	if err := os.MkdirAll(filepath.Dir(long), 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := Listen(long, func(context.Context, Request, io.Writer, io.Writer) int { return 5 })
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if code, err := Forward(context.Background(), long, Request{}, io.Discard, io.Discard); code != 5 || err != nil {
		t.Fatalf("Forward: %d, %v", code, err)
	}
}

// Listening tells whether a window listens for the archive, and asking
// runs nothing there.
func TestListening(t *testing.T) {
	archive := filepath.Join(t.TempDir(), "archive.db")
	ctx := context.Background()
	if Listening(ctx, archive) {
		t.Fatal("listening before any window")
	}
	ran := make(chan Request, 1)
	s, err := Listen(archive, func(_ context.Context, req Request, _, _ io.Writer) int { ran <- req; return 0 })
	if err != nil {
		t.Fatal(err)
	}
	if !Listening(ctx, archive) {
		t.Error("not listening while a window is")
	}
	// A request after the probe is the first the handler sees.
	if code, err := Forward(ctx, archive, Request{Args: []string{"list"}}, io.Discard, io.Discard); err != nil || code != 0 {
		t.Fatalf("Forward: %d, %v", code, err)
	}
	if req := <-ran; len(req.Args) != 1 || req.Args[0] != "list" {
		t.Errorf("the window ran %q", req.Args)
	}
	s.Close()
	if Listening(ctx, archive) {
		t.Error("listening after the window closed")
	}
}
