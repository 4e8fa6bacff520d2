package pop3test_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"popvault/fetch/pop3"
	"popvault/fetch/pop3test"
)

func msgs(uids ...string) []pop3test.Message {
	var out []pop3test.Message
	for _, u := range uids {
		out = append(out, pop3test.Message{UID: u, Data: []byte("Subject: " + u + "\r\n\r\nbody\r\n")})
	}
	return out
}

func login(t *testing.T, s *pop3test.Server) *pop3.Client {
	t.Helper()
	ctx := context.Background()
	c, err := pop3.DialTLS(ctx, s.Addr, &pop3.Options{TLSConfig: s.ClientTLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDropMidMessage(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: msgs("a", "b"),
		Faults: pop3test.Faults{Drop: &pop3test.Trigger{Command: "RETR", Nth: 2, AfterBytes: 15}}})
	defer s.Close()
	c := login(t, s)
	var got []string
	err := c.RetrMany(context.Background(), []int{1, 2}, func(id int, r io.Reader) error {
		b, err := io.ReadAll(r)
		got = append(got, string(b))
		return err
	})
	if !errors.Is(err, io.ErrUnexpectedEOF) || len(got) != 2 || got[0] != "Subject: a\r\n\r\nbody\r\n" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestQuitFailsHalfway(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: msgs("a", "b", "c"),
		Faults: pop3test.Faults{QuitFails: true, QuitDeletes: 1}})
	defer s.Close()
	c := login(t, s)
	ctx := context.Background()
	if err := c.DeleMany(ctx, []int{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(ctx); !errors.Is(err, pop3.ErrSysTemp) {
		t.Fatalf("QUIT: %v", err)
	}
	if left := s.Messages(); len(left) != 2 || left[0].UID != "b" {
		t.Fatalf("left %v", left)
	}
}

func TestLiesAndDuplicates(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: msgs("same", "same", "x"),
		Faults: pop3test.Faults{ListSizeDelta: 1000}})
	defer s.Close()
	c := login(t, s)
	ctx := context.Background()
	list, err := c.List(ctx)
	if err != nil || list[0].Size != int64(len(msgs("same")[0].Data))+1000 {
		t.Fatalf("LIST %v, %v", list, err)
	}
	uidl, err := c.UIDL(ctx)
	if err != nil || uidl[0].UID != uidl[1].UID {
		t.Fatalf("UIDL %v, %v", uidl, err)
	}
}

func TestCapabilityOptions(t *testing.T) {
	s := pop3test.NewTLSServer(pop3test.Config{Messages: msgs("a"), NoUIDL: true, NoPipelining: true,
		Faults: pop3test.Faults{LoginCode: ""}})
	defer s.Close()
	c := login(t, s)
	ctx := context.Background()
	caps, err := c.Capa(ctx)
	if err != nil || caps.Has("UIDL") || caps.Has("PIPELINING") || !caps.Has("TOP") {
		t.Fatalf("caps %v, %v", caps, err)
	}
	if _, err := c.UIDL(ctx); err == nil {
		t.Fatal("UIDL succeeded")
	}
	err = c.Top(ctx, 1, 0, func(r io.Reader) error {
		b, _ := io.ReadAll(r)
		if string(b) != "Subject: a\r\n\r\n" {
			t.Errorf("TOP %q", b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestLoginCodes(t *testing.T) {
	for _, code := range []error{pop3.ErrInUse, pop3.ErrLoginDelay, pop3.ErrSysTemp} {
		s := pop3test.NewTLSServer(pop3test.Config{Faults: pop3test.Faults{LoginCode: code.(*pop3.Error).Code}})
		ctx := context.Background()
		c, err := pop3.DialTLS(ctx, s.Addr, &pop3.Options{TLSConfig: s.ClientTLSConfig()})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Login(ctx, "alice", "secret")
		var perr *pop3.Error
		if !errors.Is(err, code) || !errors.As(err, &perr) || !perr.Temporary() {
			t.Errorf("%v: got %v", code, err)
		}
		c.Close()
		s.Close()
	}
}
