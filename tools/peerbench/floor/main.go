// Command floor retrieves every message of a POP3 mailbox with
// popvault's own client, as popvault fetches (the same TLS settings, the
// same pipelined session), and throws the bytes away: the floor beneath
// popvault's fetch, whose difference from it is the cost of storing.
// peerbench times it beside popvault; it reads the password from stdin.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"popvault/fetch/pop3"
	"popvault/transport"
)

func main() {
	addr := flag.String("addr", "", "host:port of the POP3S server")
	caFile := flag.String("ca-file", "", "the CA to trust")
	user := flag.String("user", "", "the user")
	flag.Parse()
	pw, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	if err := run(*addr, *caFile, *user, strings.TrimRight(pw, "\r\n")); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func run(addr, caFile, user, password string) error {
	ctx := context.Background()
	host, _, _ := net.SplitHostPort(addr)
	cfg, err := transport.TLSConfig(host, caFile, nil)
	if err != nil {
		return err
	}
	c, err := pop3.DialTLS(ctx, addr, &pop3.Options{TLSConfig: cfg})
	if err != nil {
		return err
	}
	defer c.Close()
	l, err := c.LoginAndList(ctx, user, password)
	if err != nil {
		return err
	}
	ids := make([]int, len(l.UIDs))
	for i, m := range l.UIDs {
		ids[i] = m.ID
	}
	var n int64
	err = c.RetrMany(ctx, ids, func(id int, r io.Reader) error {
		m, err := io.Copy(io.Discard, r)
		n += m
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 && len(ids) > 0 {
		return fmt.Errorf("retrieved nothing")
	}
	return c.Quit(ctx)
}
