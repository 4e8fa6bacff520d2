package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"popvault/credentials"
	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/internal/mailgen"
	"popvault/ui"
)

// runDemo opens the window on a throwaway archive with a POP3 server
// inside the app holding sample mail, and the account dialog filled in:
// a newcomer sees adding an account, fetching and reading without one.
func runDemo() error {
	dir, err := os.MkdirTemp("", "popvault-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var msgs []pop3test.Message
	for i, m := range mailgen.Demo() {
		msgs = append(msgs, pop3test.Message{UID: "demo-" + strconv.Itoa(i), Data: m})
	}
	const password = "demo-password"
	s := pop3test.NewTLSServer(pop3test.Config{User: "demo@popvault.example", Password: password, Messages: msgs,
		Greeting: "popvault demo server ready"})
	defer s.Close()
	port, _ := strconv.Atoi(s.Addr[strings.LastIndexByte(s.Addr, ':')+1:])
	fmt.Fprintf(os.Stderr, "popvault: demo server on %s with %d messages; archive in %s\n", s.Addr, len(msgs), dir)
	return ui.Run(ui.Options{
		ArchivePath: filepath.Join(dir, "archive.db"),
		Secrets:     &credentials.MemorySecrets{},
		RootCAs:     s.CertPool(),
		Prefill: &fetch.Account{Name: "Demo", Email: "demo@popvault.example", Host: "127.0.0.1", Port: port,
			Security: fetch.SecurityTLS, User: "demo@popvault.example", KeepOnServer: true},
		PrefillPassword: password,
	})
}
