package restore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"

	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"popvault/archive"
	"popvault/fetch/pop3test/dovecot"
	"popvault/internal/mailgen"
	"popvault/transport"
)

// fill stores n messages of the usual mix, arrived an hour apart from
// 2025-01-01, every third one read, and returns their ids in order.
func fill(t *testing.T, a *archive.Archive, n int, seed uint64) []uint64 {
	t.Helper()
	g := mailgen.New(seed)
	var batch []archive.Incoming
	start := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		batch = append(batch, archive.Incoming{Account: "old", UID: fmt.Sprint(seed, "-", i), Raw: g.Next().Data,
			Arrived: start.Add(time.Duration(i) * time.Hour)})
	}
	var ids []uint64
	for len(batch) > 0 {
		k := min(len(batch), 500)
		stored, err := a.Store(batch[:k])
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stored {
			ids = append(ids, s.ID)
		}
		batch = batch[k:]
	}
	for i, id := range ids {
		if i%3 == 0 {
			if err := a.SetRead(id, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	return ids
}

// sizeOf is the messages' stored size, in bytes: what a quota counts.
func sizeOf(a *archive.Archive, ids []uint64) int64 {
	var total int64
	for _, id := range ids {
		s, _ := a.Summary(id)
		total += s.Size
	}
	return total
}

func newArchive(t testing.TB) *archive.Archive {
	t.Helper()
	a, err := archive.Open(filepath.Join(t.TempDir(), "archive.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func startIMAP(t testing.TB, opts dovecot.Options) *dovecot.Server {
	t.Helper()
	opts.IMAP = true
	return dovecot.StartForTestWith(t, opts)
}

// options restore into bob's mailbox over implicit TLS.
func options(d *dovecot.Server, mailbox string) Options {
	return Options{
		Target:      Target{Host: "127.0.0.1", Port: d.IMAPTLSPort, Security: transport.SecurityTLS, User: d.User2, Mailbox: mailbox},
		Credentials: Credentials{Password: d.Password2},
		RootCAs:     d.Pool,
		Create:      true,
		Timeout:     10 * time.Second,
	}
}

// onServer is one message as the server holds it.
type onServer struct {
	uid   imap.UID
	raw   []byte
	seen  bool
	date  time.Time
	msgID string
}

// mailbox reads every message of bob's mailbox with FETCH BODY.PEEK[].
func mailbox(t *testing.T, d *dovecot.Server, name string) []onServer {
	t.Helper()
	c := bob(t, d)
	defer c.Close()
	sel, err := c.Select(name, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true, InternalDate: true, Envelope: true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []onServer
	for _, m := range msgs {
		o := onServer{uid: m.UID, date: m.InternalDate, msgID: m.Envelope.MessageID}
		for _, f := range m.Flags {
			o.seen = o.seen || f == imap.FlagSeen
		}
		if len(m.BodySection) == 1 {
			o.raw = m.BodySection[0].Bytes
		}
		out = append(out, o)
	}
	return out
}

func bob(t testing.TB, d *dovecot.Server) *imapclient.Client {
	t.Helper()
	c, err := d.DialIMAP()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// exactlyOnce checks that the mailbox holds the messages ids, each once,
// byte for byte, with \Seen from the archive's read state and
// INTERNALDATE as internalDate says.
func exactlyOnce(t *testing.T, a *archive.Archive, d *dovecot.Server, name string, ids []uint64) {
	t.Helper()
	got := mailbox(t, d, name)
	byBytes := map[string][]onServer{}
	for _, m := range got {
		byBytes[string(m.raw)] = append(byBytes[string(m.raw)], m)
	}
	if len(got) != len(ids) {
		t.Errorf("the mailbox holds %d messages, want %d", len(got), len(ids))
	}
	bad := 0
	for _, id := range ids {
		raw, err := a.Raw(id)
		if err != nil {
			t.Fatal(err)
		}
		s, err := a.Summary(id)
		if err != nil {
			t.Fatal(err)
		}
		copies := byBytes[string(raw)]
		switch {
		case len(copies) != 1:
			t.Errorf("message %d (%q) is on the server %d times, byte for byte", id, s.Subject, len(copies))
		case copies[0].seen != s.Read:
			t.Errorf("message %d: \\Seen %v, read %v", id, copies[0].seen, s.Read)
		case !copies[0].date.Equal(internalDate(s).Truncate(time.Second)):
			t.Errorf("message %d: INTERNALDATE %v, want %v", id, copies[0].date, internalDate(s))
		default:
			continue
		}
		if bad++; bad > 5 {
			t.Fatal("and more")
		}
	}
}

func TestRestoreThousand(t *testing.T) {
	d := startIMAP(t, dovecot.Options{})
	a := newArchive(t)
	ids := fill(t, a, 1000, 1)
	var last Progress
	opts := options(d, "Restored")
	opts.Progress = func(p Progress) { last = p }
	sum, err := Run(context.Background(), a, ids, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Complete() || sum.Sent != 1000 || !sum.Created || last.Done != 1000 || last.Total != 1000 {
		t.Fatalf("summary %+v, last progress %+v", sum, last)
	}
	exactlyOnce(t, a, d, "Restored", ids)

	// Run again: the record says all is there; nothing is sent.
	sum, err = Run(context.Background(), a, ids, opts)
	if err != nil || !sum.Complete() || sum.Sent != 0 || sum.Already != 1000 || sum.Created {
		t.Fatalf("again: %v, %+v", err, sum)
	}
	if n := len(mailbox(t, d, "Restored")); n != 1000 {
		t.Fatalf("after a second run the mailbox holds %d", n)
	}
	// The server's UIDs are recorded (UIDPLUS), each message's own, also
	// where one MULTIAPPEND carried many.
	rec, _, err := ledgerOf(a, opts.Target.Key()).start(uidValidity(t, d, "Restored"))
	if err != nil {
		t.Fatal(err)
	}
	uidOf := map[string]imap.UID{}
	for _, m := range mailbox(t, d, "Restored") {
		uidOf[string(m.raw)] = m.uid
	}
	for _, id := range ids {
		raw, _ := a.Raw(id)
		if got, want := imap.UID(rec.Done[id]), uidOf[string(raw)]; got != want {
			t.Fatalf("message %d has UID %d recorded, the server holds it as %d", id, got, want)
		}
	}
}

func uidValidity(t testing.TB, d *dovecot.Server, name string) uint32 {
	c := bob(t, d)
	defer c.Close()
	st, err := c.Status(name, &imap.StatusOptions{UIDValidity: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return st.UIDValidity
}

func TestInternalDate(t *testing.T) {
	arrived := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		date, want time.Time
	}{
		{arrived.Add(-48 * time.Hour), arrived.Add(-48 * time.Hour)}, // earlier and sane
		{arrived.Add(time.Hour), arrived},                            // later: a sender's clock ahead
		{time.Unix(0, 0), arrived},                                   // 1970: a clock at zero
		{time.Time{}, arrived},
	} {
		if got := internalDate(&archive.Summary{Date: c.date, Arrived: arrived}); !got.Equal(c.want) {
			t.Errorf("Date %v: %v, want %v", c.date, got, c.want)
		}
	}
}

func TestRestoreMissingMailbox(t *testing.T) {
	d := startIMAP(t, dovecot.Options{})
	a := newArchive(t)
	ids := fill(t, a, 3, 2)
	opts := options(d, "Nowhere")
	opts.Create = false
	sum, err := Run(context.Background(), a, ids, opts)
	if !errors.Is(err, ErrNoMailbox) || !strings.Contains(err.Error(), "--create") || sum.Complete() {
		t.Fatalf("got %v, %+v", err, sum)
	}
}

func TestRestoreUIDValidityChange(t *testing.T) {
	d := startIMAP(t, dovecot.Options{})
	a := newArchive(t)
	ids := fill(t, a, 20, 3)
	opts := options(d, "Again")
	if sum, err := Run(context.Background(), a, ids, opts); err != nil || !sum.Complete() {
		t.Fatal(err, sum)
	}
	c := bob(t, d)
	if err := c.Delete("Again").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Create("Again", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	sum, err := Run(context.Background(), a, ids, opts)
	if err != nil || !sum.Restarted || sum.Sent != 20 || !sum.Complete() {
		t.Fatalf("after the mailbox was made again: %v, %+v", err, sum)
	}
	exactlyOnce(t, a, d, "Again", ids)
}

// Servers without UIDPLUS give no UIDs, without LITERAL+ every literal
// waits for the server's go-ahead (and no MULTIAPPEND is sent), without
// ESEARCH searches go one at a time, and without MULTIAPPEND each
// message is its own APPEND: the restore is the same. Dovecot answers
// APPENDUID whatever it announces, so a proxy takes those codes out.
func TestRestoreOlderServer(t *testing.T) {
	for name, c := range map[string]struct {
		hide   []string
		noUIDs bool
	}{
		"no UIDPLUS, LITERAL+ or ESEARCH": {[]string{"UIDPLUS", "LITERAL+", "ESEARCH"}, true},
		"MULTIAPPEND without UIDPLUS":     {[]string{"UIDPLUS"}, true},
		"LITERAL+ without MULTIAPPEND":    {[]string{"MULTIAPPEND"}, false},
	} {
		t.Run(name, func(t *testing.T) {
			d := startIMAP(t, dovecot.Options{HideCaps: c.hide})
			a := newArchive(t)
			ids := fill(t, a, 60, 4)
			opts := options(d, "Old")
			if c.noUIDs {
				opts.Target.Security, opts.Target.Port = transport.SecurityPlain, noAppendUID(t, d.IMAPAddr())
			}
			sum, err := Run(context.Background(), a, ids, opts)
			if err != nil || !sum.Complete() || sum.Sent != 60 {
				t.Fatalf("%v, %+v", err, sum)
			}
			exactlyOnce(t, a, d, "Old", ids)
			// Kill's aftermath without UIDs: everything pending again is
			// found, by Message-ID or by size, and nothing sent twice.
			marks := map[uint64]uint32{}
			for _, id := range ids {
				marks[id] = 0
			}
			if err := ledgerOf(a, opts.Target.Key()).mark(statePending, marks); err != nil {
				t.Fatal(err)
			}
			sum, err = Run(context.Background(), a, ids, opts)
			if err != nil || !sum.Complete() || sum.Sent != 0 || sum.Already != 60 {
				t.Fatalf("resume: %v, %+v", err, sum)
			}
			exactlyOnce(t, a, d, "Old", ids)
		})
	}
}

// noAppendUID forwards plain IMAP connections to target, less the
// APPENDUID codes of the server's answers, and returns its port.
func noAppendUID(t *testing.T, target string) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	appendUID := regexp.MustCompile(`^(\S+ OK) \[APPENDUID [^\]]*\]`)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				up, err := net.Dial("tcp", target)
				if err != nil {
					return
				}
				defer up.Close()
				go io.Copy(up, conn)
				r := bufio.NewReader(up)
				for {
					line, err := r.ReadBytes('\n')
					line = appendUID.ReplaceAll(line, []byte("$1"))
					if _, werr := conn.Write(line); werr != nil || err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// A run killed between the server's OK and the commit leaves messages
// pending that the server holds; others pending were never sent. The
// next run sends only the second kind, also for messages without a
// Message-ID and for two that differ only in their line endings.
func TestRestoreResolvesPending(t *testing.T) {
	quickSettling(t) // nothing lands late here
	d := startIMAP(t, dovecot.Options{})
	a := newArchive(t)
	ids := fill(t, a, 10, 5)
	odd := [][]byte{
		[]byte("From: a@example.org\r\nSubject: no id\r\n\r\nbody one\r\n"),
		[]byte("From: a@example.org\r\nSubject: no id either\r\n\r\nbody two\r\n"),
		[]byte("From: a@example.org\nSubject: bare LF\n\nsame text\n"),
		[]byte("From: a@example.org\r\nSubject: bare LF\r\n\r\nsame text\r\n"),
	}
	for _, raw := range odd {
		st, err := a.Store([]archive.Incoming{{Account: "old", Raw: raw}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st[0].ID)
	}
	opts := options(d, "INBOX")
	// What the killed run got onto the server: every other message,
	// appended behind popvault's back, including one of the two that
	// differ in line endings and one without a Message-ID.
	c := bob(t, d)
	onServer := map[uint64]bool{}
	for i, id := range ids {
		if i%2 != 0 {
			continue
		}
		raw, _ := a.Raw(id)
		s, _ := a.Summary(id)
		cmd := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Time: internalDate(s), Flags: seen(s.Read)})
		cmd.Write(raw)
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
		onServer[id] = true
	}
	c.Close()
	if _, _, err := ledgerOf(a, opts.Target.Key()).start(uidValidity(t, d, "INBOX")); err != nil {
		t.Fatal(err)
	}
	marks := map[uint64]uint32{}
	for _, id := range ids {
		marks[id] = 0
	}
	if err := ledgerOf(a, opts.Target.Key()).mark(statePending, marks); err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), a, ids, opts)
	if err != nil || !sum.Complete() || sum.Already != len(onServer) || sum.Sent != len(ids)-len(onServer) {
		t.Fatalf("%v, %+v (%d were on the server)", err, sum, len(onServer))
	}
	got := mailbox(t, d, "INBOX")
	if len(got) != len(ids) {
		t.Fatalf("%d on the server, want %d", len(got), len(ids))
	}
}

func seen(read bool) []imap.Flag {
	if read {
		return []imap.Flag{imap.FlagSeen}
	}
	return nil
}

// A quota that runs out early, while most messages are still to be
// taken: the pass stops at the first refused MULTIAPPEND, and every
// message it left unsent is sent alone after, so each is stored or named
// with the server's reason, never given up with the pass's.
func TestRestoreQuotaEarly(t *testing.T) {
	a := newArchive(t)
	ids := fill(t, a, 400, 7)
	total := sizeOf(a, ids)
	d := startIMAP(t, dovecot.Options{QuotaKiB: total / 10 / 1024})
	sum, err := Run(context.Background(), a, ids, options(d, "INBOX"))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sent+len(sum.Failed) != len(ids) || sum.Sent == 0 || len(sum.Failed) == 0 {
		t.Fatalf("over quota early: %+v", sum)
	}
	for _, f := range sum.Failed {
		if f.Reason == overQuotaAloneNext.why || !strings.Contains(f.Reason, "quota") {
			t.Fatalf("message %d was not sent alone: %q", f.ID, f.Reason)
		}
	}
	if stored := mailbox(t, d, "INBOX"); len(stored) != sum.Sent {
		t.Fatalf("the server holds %d, the summary says %d were sent", len(stored), sum.Sent)
	}
}

// A quota that runs out halfway: the messages that did not fit are
// named, the run is not complete, and a run after the quota grows sends
// the rest, each once.
func TestRestoreQuota(t *testing.T) {
	a := newArchive(t)
	ids := fill(t, a, 100, 6)
	total := sizeOf(a, ids)
	d := startIMAP(t, dovecot.Options{QuotaKiB: total / 2 / 1024})
	opts := options(d, "INBOX")
	sum, err := Run(context.Background(), a, ids, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Complete() || len(sum.Failed) == 0 || sum.Sent+len(sum.Failed) != 100 || sum.Sent < 30 {
		t.Fatalf("over quota: %+v", sum)
	}
	quota := 0
	for _, f := range sum.Failed {
		if f.ID == 0 || f.Subject == "" || !strings.Contains(f.Reason, "quota") {
			t.Fatalf("failure %+v does not name the message and the quota", f)
		}
		if strings.HasPrefix(f.Reason, "over quota") {
			quota++
		}
	}
	if quota == 0 {
		t.Fatalf("no failure gives the server's over-quota reason: %+v", sum.Failed)
	}
	stored := mailbox(t, d, "INBOX")
	if len(stored) != sum.Sent {
		t.Fatalf("the server holds %d, the summary says %d were sent", len(stored), sum.Sent)
	}
	// What fits goes in: a refused MULTIAPPEND is sent again one message
	// at a time, so each message the server refused does not fit now.
	c := bob(t, d)
	if err := c.Create("Probe", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Failed {
		if !strings.HasPrefix(f.Reason, "over quota") {
			continue
		}
		raw, _ := a.Raw(f.ID)
		cmd := c.Append("Probe", int64(len(raw)), nil)
		cmd.Write(raw)
		cmd.Close()
		if _, err := cmd.Wait(); err == nil {
			t.Fatalf("message %d (%d bytes) was refused for the quota, yet it fits", f.ID, len(raw))
		}
	}
	c.Close()
	if err := d.SetQuota(0); err != nil {
		t.Fatal(err)
	}
	sum2, err := Run(context.Background(), a, ids, opts)
	if err != nil || !sum2.Complete() || sum2.Already != sum.Sent || sum2.Sent != len(sum.Failed) {
		t.Fatalf("after the quota grew: %v, %+v", err, sum2)
	}
	exactlyOnce(t, a, d, "INBOX", ids)
}

// cutter forwards connections on a fixed address to Dovecot, and cuts
// every connection once cut bytes have gone to the server and it has
// confirmed an APPEND (0: never).
// From that moment the server's answers are kept from the client, while
// what the client still sends goes on to the server for a moment: the
// server stores the message whose bytes were on their way, and its OK
// never reaches the client. That is the window between the server's OK
// and the archive's commit.
type cutter struct {
	ln     net.Listener
	target string
	cut    atomic.Int64
	cuts   atomic.Int32
}

func newCutter(t *testing.T, target string) *cutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &cutter{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go c.serve(conn)
		}
	}()
	return c
}

func (c *cutter) port() int { return c.ln.Addr().(*net.TCPAddr).Port }

func (c *cutter) serve(conn net.Conn) {
	defer conn.Close()
	up, err := net.Dial("tcp", c.target)
	if err != nil {
		return
	}
	defer up.Close()
	var deaf, answered atomic.Bool
	var sentUp atomic.Int64
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := up.Read(buf)
			if deaf.Load() || err != nil {
				return
			}
			// Past sign-in, with LITERAL+, the server speaks only to
			// answer an APPEND.
			if sentUp.Load() > 64<<10 {
				answered.Store(true)
			}
			if _, err := conn.Write(buf[:n]); err != nil {
				return
			}
		}
	}()
	limit := c.cut.Load()
	buf := make([]byte, 4096)
	var sent int64
	for {
		n, err := conn.Read(buf)
		if limit > 0 && sent+int64(n) > limit && answered.Load() && !deaf.Load() {
			deaf.Store(true)
			c.cuts.Add(1)
			conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		}
		sent += int64(n)
		sentUp.Store(sent)
		if _, werr := up.Write(buf[:n]); werr != nil || err != nil {
			return
		}
	}
}

func TestRestoreDroppedConnection(t *testing.T) {
	d := startIMAP(t, dovecot.Options{})
	a := newArchive(t)
	ids := fill(t, a, 200, 7)
	proxy := newCutter(t, d.IMAPTLSAddr())
	proxy.cut.Store(1 << 20) // mid-APPEND, some messages in
	opts := options(d, "INBOX")
	opts.Target.Port = proxy.port()
	opts.Connections = 1
	sum, err := Run(context.Background(), a, ids, opts)
	if err == nil || !strings.Contains(err.Error(), "connection to 127.0.0.1 was lost") || sum.Complete() || proxy.cuts.Load() == 0 {
		t.Fatalf("cut off: %v, %+v", err, sum)
	}
	if sum.Sent == 0 || sum.Sent == 200 || sum.Unconfirmed == 0 {
		t.Fatalf("the cut came at %d sent, %d unconfirmed", sum.Sent, sum.Unconfirmed)
	}
	proxy.cut.Store(0)
	sum, err = Run(context.Background(), a, ids, opts)
	if err != nil || !sum.Complete() {
		t.Fatalf("resumed: %v, %+v", err, sum)
	}
	exactlyOnce(t, a, d, "INBOX", ids)
}

// A server that refuses STARTTLS gets no password: the restore fails,
// saying so, and nothing follows the refusal in clear.
func TestRestoreStartTLSRefused(t *testing.T) {
	for _, answer := range []string{"NO STARTTLS is not available", "BAD unknown command"} {
		t.Run(answer, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			var heard []string
			served := make(chan struct{})
			go func() {
				defer close(served)
				conn, err := ln.Accept()
				if err != nil {
					return
				}
				defer conn.Close()
				fmt.Fprint(conn, "* OK [CAPABILITY IMAP4rev1 LOGIN AUTH=PLAIN] ready\r\n")
				r := bufio.NewReader(conn)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					heard = append(heard, line)
					tag, _, _ := strings.Cut(line, " ")
					fmt.Fprintf(conn, "%s %s\r\n", tag, answer)
				}
			}()
			a := newArchive(t)
			ids := fill(t, a, 1, 8)
			opts := Options{
				Target:      Target{Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, Security: transport.SecurityStartTLS, User: "bob", Mailbox: "INBOX"},
				Credentials: Credentials{Password: "secret-password"},
				Timeout:     5 * time.Second,
			}
			_, err = Run(context.Background(), a, ids, opts)
			if err == nil || !strings.Contains(err.Error(), "STARTTLS") || !strings.Contains(err.Error(), "never falls back") {
				t.Fatalf("got %v", err)
			}
			// The client has closed the connection: the server has read
			// all it will ever get once its reading ends.
			<-served
			for _, l := range heard {
				if strings.Contains(l, "secret-password") || strings.Contains(strings.ToUpper(l), "LOGIN") {
					t.Fatalf("sent in clear after the refusal: %q", heard)
				}
			}
		})
	}
}

// STARTTLS that works, and a certificate the client does not trust.
func TestRestoreSecurity(t *testing.T) {
	d := startIMAP(t, dovecot.Options{})
	a := newArchive(t)
	ids := fill(t, a, 5, 9)
	opts := options(d, "INBOX")
	opts.Target.Security, opts.Target.Port = transport.SecurityStartTLS, d.IMAPPort
	if sum, err := Run(context.Background(), a, ids, opts); err != nil || !sum.Complete() {
		t.Fatalf("STARTTLS: %v, %+v", err, sum)
	}
	opts = options(d, "INBOX")
	opts.RootCAs = nil
	if _, err := Run(context.Background(), a, ids, opts); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("an untrusted certificate: %v", err)
	}
}

// fakeIMAP serves one connection with a greeting, CAPABILITY, LOGIN,
// LIST of the separator and STATUS, and hands every other command line to other; then it stops
// listening, so that a second connection fails.
func fakeIMAP(t *testing.T, other func(w io.Writer, tag, rest string)) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		conn, err := ln.Accept()
		ln.Close()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprint(conn, "* OK ready\r\n")
		r := bufio.NewReader(conn)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			tag, rest, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
			switch {
			case strings.HasPrefix(rest, "CAPABILITY"):
				fmt.Fprintf(conn, "* CAPABILITY IMAP4rev1\r\n%s OK\r\n", tag)
			case strings.HasPrefix(rest, "LOGIN"):
				fmt.Fprintf(conn, "%s OK\r\n", tag)
			case strings.HasPrefix(rest, `LIST "" ""`):
				fmt.Fprintf(conn, "* LIST (\\Noselect) \"/\" \"\"\r\n%s OK\r\n", tag)
			case strings.HasPrefix(rest, "STATUS"):
				fmt.Fprintf(conn, "* STATUS INBOX (UIDVALIDITY 7)\r\n%s OK\r\n", tag)
			default:
				other(conn, tag, rest)
			}
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port
}

// A server that goes silent mid-restore is given up on after the timeout.
func TestRestoreSilentServer(t *testing.T) {
	port := fakeIMAP(t, func(io.Writer, string, string) {}) // APPEND: silence
	a := newArchive(t)
	ids := fill(t, a, 3, 10)
	opts := Options{
		Target:  Target{Host: "127.0.0.1", Port: port, Security: transport.SecurityPlain, User: "bob"},
		Timeout: time.Second,
	}
	// Only the watchdog says "did not answer", and it says for how long.
	sum, err := Run(context.Background(), a, ids, opts)
	if err == nil || !strings.Contains(err.Error(), "did not answer for 1s") || sum.Complete() {
		t.Fatalf("got %v, %+v", err, sum)
	}
}

// A server that refuses a message before taking its bytes costs the
// connection (imapclient closes it); when no other can be opened, the
// rest are named as not sent, and the run ends.
func TestRestoreTooBigAndNoConnectionLeft(t *testing.T) {
	port := fakeIMAP(t, func(w io.Writer, tag, rest string) {
		if strings.HasPrefix(rest, "APPEND") {
			fmt.Fprintf(w, "%s NO [TOOBIG] Message too large\r\n", tag)
		}
	})
	a := newArchive(t)
	var ids []uint64
	for i := 0; i < 3; i++ {
		st, err := a.Store([]archive.Incoming{{Account: "old", Raw: []byte(fmt.Sprintf("Subject: big %d\r\n\r\n%s\r\n", i, strings.Repeat("x", 10000)))}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st[0].ID)
	}
	opts := Options{
		Target:  Target{Host: "127.0.0.1", Port: port, Security: transport.SecurityPlain, User: "bob"},
		Timeout: 5 * time.Second,
	}
	// A restore that hung once no connection is left would end in go
	// test's timeout, with every goroutine's stack.
	sum, err := Run(context.Background(), a, ids, opts)
	if sum.Complete() || len(sum.Failed) != 3 || sum.Failed[0].Reason != "too large for this server: Message too large" ||
		!strings.Contains(sum.Failed[2].Reason, "no connection") {
		t.Fatalf("%+v", sum)
	}
	// Why no new connection could be made is said, not dropped: in each
	// message's reason, in the summary and in the error.
	why := sum.UnopenedWhy
	if !errors.Is(err, syscall.ECONNREFUSED) || sum.Unopened == 0 || why == "" ||
		!strings.Contains(sum.Failed[2].Reason, why) || !strings.Contains(sum.String(), why) {
		t.Fatalf("why no connection was left is not said: %v\n%+v\n%s", err, sum, sum)
	}
}

func TestSelect(t *testing.T) {
	a := newArchive(t)
	var batch []archive.Incoming
	for i := 0; i < 1200; i++ { // more than one page of the listing
		batch = append(batch, archive.Incoming{Account: "old", Raw: []byte(fmt.Sprintf("Subject: %d\r\n\r\nx\r\n", i))})
	}
	ids, err := a.Store(batch)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Select(a, "old", "")
	if err != nil || len(got) != len(ids) {
		t.Fatalf("%v, %d of %d", err, len(got), len(ids))
	}
	if got, err := Select(a, "nobody", ""); err != nil || len(got) != 0 {
		t.Fatalf("another account: %v, %d", err, len(got))
	}
	if err := a.SearchIndex().Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got, err := Select(a, "", "subject:1199"); err != nil || len(got) != 1 || got[0] != ids[1199].ID {
		t.Fatalf("a search: %v, %v", err, got)
	}
}

func TestKey(t *testing.T) {
	a := Target{Host: "IMAP.example.org", User: "ann", Mailbox: "Archive"}
	b := Target{Host: "imap.example.org", Port: 993, Security: transport.SecurityTLS, User: "ann", Mailbox: "Archive"}
	if a.Key() != b.Key() {
		t.Errorf("%q != %q", a.Key(), b.Key())
	}
	for _, other := range []Target{
		{Host: "imap.example.org", User: "bob", Mailbox: "Archive"},
		{Host: "imap.example.org", User: "ann", Mailbox: "INBOX"},
		{Host: "imap.example.org", Port: 143, Security: transport.SecurityStartTLS, User: "ann", Mailbox: "Archive"},
	} {
		if other.Key() == a.Key() {
			t.Errorf("%+v has the same key as %+v", other, a)
		}
	}
}

// TestRestoreFeed: what a Feed gives after the ids is sent over the same
// run, each message once: given twice, or on the server from an earlier
// run, it is not sent again, and the summary counts it all.
func TestRestoreFeed(t *testing.T) {
	d := startIMAP(t, dovecot.Options{})
	a := newArchive(t)
	ids := fill(t, a, 200, 3)
	opts := options(d, "Fed")
	if sum, err := Run(context.Background(), a, ids[:20], opts); err != nil || sum.Sent != 20 {
		t.Fatalf("before: %v, %+v", err, sum)
	}
	gives := [][]uint64{
		ids[50:100],
		append(append(slices.Clone(ids[60:70]), ids[:5]...), ids[100:150]...), // given before; on the server before
		append(slices.Clone(ids[150:200]), ids[150:200]...),                   // twice in one
	}
	calls := 0
	opts.Feed = func(ctx context.Context) []uint64 {
		calls++
		if len(gives) == 0 {
			return nil
		}
		g := gives[0]
		gives = gives[1:]
		return g
	}
	sum, err := Run(context.Background(), a, ids[20:50], opts)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Complete() || sum.Sent != 180 || sum.Already != 5 || sum.Total != 185 || len(sum.OnServer) != 185 || calls != 4 {
		t.Fatalf("summary %+v after %d calls of the feed", sum, calls)
	}
	exactlyOnce(t, a, d, "Fed", ids)
}

// TestRestoreFeedEndsWithTheRun: a Feed that waits is told to stop when
// the run's pass stops (here, the mailbox over its quota): the run then
// sends what it was given one by one, names what did not fit, and ends.
func TestRestoreFeedEndsWithTheRun(t *testing.T) {
	a := newArchive(t)
	ids := fill(t, a, 100, 4)
	total := sizeOf(a, ids)
	d := startIMAP(t, dovecot.Options{QuotaKiB: total / 10 / 1024})
	opts := options(d, "INBOX")
	given := false
	opts.Feed = func(ctx context.Context) []uint64 {
		if !given {
			given = true
			return ids[10:]
		}
		<-ctx.Done() // no more comes until the run ends it
		return nil
	}
	done := make(chan struct{})
	var sum *Summary
	var err error
	go func() {
		defer close(done)
		sum, err = Run(context.Background(), a, ids[:10], opts)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the run still waits on its feed after its pass stopped")
	}
	if err != nil || sum.Total != 100 || sum.Sent+len(sum.Failed) != 100 || sum.Sent == 0 || len(sum.Failed) == 0 {
		t.Fatalf("%v, %+v", err, sum)
	}
	if stored := mailbox(t, d, "INBOX"); len(stored) != sum.Sent {
		t.Fatalf("the server holds %d, the summary says %d were sent", len(stored), sum.Sent)
	}
}
