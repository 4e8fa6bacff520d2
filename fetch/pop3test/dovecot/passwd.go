package dovecot

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"os"
	"path/filepath"
)

// SetPassword2 changes bob's password (the IMAP user's), as a provider
// revoking an app password does, and returns once Dovecot refuses the
// old one: it reads the password file again when it changed, but looks
// at most once a second.
func (s *Server) SetPassword2(password string) error {
	old := s.Password2
	s.Password2 = password
	data := []byte(s.User + ":{PLAIN}" + s.Password + "\n" + s.User2 + ":{PLAIN}" + s.Password2 + "\n")
	if err := os.WriteFile(filepath.Join(s.Dir, "passwd"), data, 0o644); err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	for range 50 {
		c, err := imapclient.DialTLS(s.IMAPTLSAddr(), &imapclient.Options{TLSConfig: &tls.Config{RootCAs: s.Pool, ServerName: "127.0.0.1"}})
		if err != nil {
			return fmt.Errorf("dovecot: %w", err)
		}
		err = c.Login(s.User2, old).Wait()
		c.Close()
		if err != nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond) // polls for the refusal itself
	}
	return errors.New("dovecot: the old password is still taken")
}
