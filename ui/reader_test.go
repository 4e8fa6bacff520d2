package ui

import (
	"context"
	"strings"
	"testing"

	"popvault/archive"
	"popvault/fetch/pop3test"
	"popvault/render"
)

// TestOpenAnotherWhileRendering: a message whose body takes long to
// render is left for another; the other is shown at once, the first's
// work is told to stop (its context ends), and whatever it returns when it
// ends never replaces the one shown, nor marks it read. Rendering that
// heeds the context and rendering that does not (render's entry points
// today) are both tried. The test's render for the slow message waits
// for the test's word, not for time.
func TestOpenAnotherWhileRendering(t *testing.T) {
	for name, heeds := range map[string]bool{"render stops when told": true, "render runs to its end": false} {
		t.Run(name, func(t *testing.T) {
			s := pop3test.NewTLSServer(pop3test.Config{})
			defer s.Close()
			u, _ := newTestUI(t, s)
			st, err := u.arch.Store([]archive.Incoming{
				{Account: "a", UID: "slow", Raw: []byte("From: a@example.org\r\nSubject: slow\r\n\r\nA body that takes long.\r\n")},
				{Account: "a", UID: "fast", Raw: []byte("From: b@example.org\r\nSubject: fast\r\n\r\nA quick one.\r\n")},
			})
			if err != nil {
				t.Fatal(err)
			}
			slow, fast := st[0].ID, st[1].ID

			started := make(chan context.Context, 1)
			release := make(chan struct{})
			type result struct {
				id    uint64
				shown bool
			}
			loaded := make(chan result, 2)
			ui(func() {
				u.reader.loaded = func(id uint64, shown bool) { loaded <- result{id, shown} }
				u.reader.renderBody = func(ctx context.Context, v *archive.View) (*render.Doc, error) {
					if v.ID == slow {
						started <- ctx
						select {
						case <-release:
						case <-ctx.Done():
							if heeds {
								return nil, ctx.Err()
							}
							<-release
						}
					}
					return renderBody(context.Background(), v)
				}
			})

			ui(func() { u.reader.open(slow, false) })
			slowCtx := <-started
			ui(func() { u.reader.open(fast, false) })
			// The fast one ends while the slow one's render still waits for
			// the test (or has stopped, told to).
			shown := map[uint64]bool{}
			for _, ok := shown[fast]; !ok; _, ok = shown[fast] {
				r := <-loaded
				shown[r.id] = r.shown
			}
			if slowCtx.Err() == nil {
				t.Error("the slow message's work was not told to stop when the fast one was opened")
			}
			close(release)
			for _, ok := shown[slow]; !ok; _, ok = shown[slow] {
				r := <-loaded
				shown[r.id] = r.shown
			}
			if !shown[fast] || shown[slow] {
				t.Errorf("shown: fast %v, slow %v; want the fast one only", shown[fast], shown[slow])
			}
			var subject, status string
			ui(func() { subject, status = u.reader.view.Subject, u.status.Text })
			if subject != "fast" {
				t.Errorf("the reader shows %q", subject)
			}
			if strings.Contains(status, "failed") {
				t.Errorf("the status line says %q: leaving a message is no failure", status)
			}
			read := func(id uint64) bool {
				page, err := u.arch.List(archive.Query{})
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range page.Messages {
					if m.ID == id {
						return m.Read
					}
				}
				return false
			}
			// Shown, the fast one is marked read (off the UI goroutine);
			// the slow one was never shown.
			eventually(t, "the fast message marked read", func() bool { return read(fast) })
			if read(slow) {
				t.Error("the slow message, never shown, was marked read")
			}
		})
	}
}
