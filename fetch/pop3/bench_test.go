package pop3

import (
	"context"
	"io"
	"testing"
	"time"

	"popvault/fetch/pop3test"
	"popvault/internal/mailgen"
	"popvault/tools/latency"
)

// BenchmarkRetr500 retrieves 500 messages of the usual size mix through a
// link with 40 ms round-trip time, pipelined and in lockstep.
func BenchmarkRetr500(b *testing.B) {
	var msgs []pop3test.Message
	var total int64
	for i, m := range mailgen.Corpus(500, 7) {
		msgs = append(msgs, pop3test.Message{UID: itoa(i), Data: m.Data})
		total += int64(len(m.Data))
	}
	for _, bc := range []struct {
		name     string
		inFlight int
	}{{"pipelined", 100}, {"lockstep", 1}} {
		b.Run(bc.name, func(b *testing.B) {
			s := pop3test.NewTLSServer(pop3test.Config{Messages: msgs})
			defer s.Close()
			proxy, err := latency.New(s.Addr, 40*time.Millisecond)
			if err != nil {
				b.Fatal(err)
			}
			defer proxy.Close()
			ids := make([]int, len(msgs))
			for i := range ids {
				ids[i] = i + 1
			}
			b.SetBytes(total)
			b.ResetTimer()
			for range b.N {
				retrieveAll(b, proxy.Addr, s, ids, bc.inFlight)
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/run")
		})
	}
}

func retrieveAll(b *testing.B, addr string, s *pop3test.Server, ids []int, inFlight int) {
	ctx := context.Background()
	c, err := DialTLS(ctx, addr, &Options{TLSConfig: tlsFor(s), MaxInFlight: inFlight})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		b.Fatal(err)
	}
	n := 0
	err = c.RetrMany(ctx, ids, func(id int, r io.Reader) error {
		n++
		_, err := io.Copy(io.Discard, r)
		return err
	})
	if err != nil || n != len(ids) {
		b.Fatalf("%d of %d: %v", n, len(ids), err)
	}
	c.Quit(ctx)
}

// BenchmarkNothingNew is the check a cron job runs most: connect with TLS,
// log in, read CAPA and UIDL of 10,000 kept messages, leave; through a
// link with 40 ms round-trip time. Its round trips are the figure: TCP,
// TLS, CAPA, the login, the listing (QUIT is not waited for).
func BenchmarkNothingNew(b *testing.B) {
	msgs := make([]pop3test.Message, 10000)
	for i := range msgs {
		msgs[i] = pop3test.Message{UID: "kept-" + itoa(i), Data: []byte("Subject: kept\r\n\r\nbody\r\n")}
	}
	s := pop3test.NewTLSServer(pop3test.Config{Messages: msgs})
	defer s.Close()
	proxy, err := latency.New(s.Addr, 40*time.Millisecond)
	if err != nil {
		b.Fatal(err)
	}
	defer proxy.Close()
	ctx := context.Background()
	for range b.N {
		c, err := DialTLS(ctx, proxy.Addr, &Options{TLSConfig: tlsFor(s)})
		if err != nil {
			b.Fatal(err)
		}
		l, err := c.LoginAndList(ctx, "alice", "secret")
		if err != nil || len(l.UIDs) != len(msgs) {
			b.Fatalf("%d UIDs, %v", len(l.UIDs), err)
		}
		c.QuitWithoutWaiting(ctx)
		b.StopTimer()
		s.WaitSessions() // the next login must not find the maildrop locked
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/run")
}
