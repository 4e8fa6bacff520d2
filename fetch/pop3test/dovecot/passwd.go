package dovecot

import (
	"fmt"
	"os"
	"path/filepath"
)

// SetPassword2 changes bob's password (the IMAP user's), as a provider
// revoking an app password does: Dovecot reads the password file again
// for each sign-in, so the next one with the old password is refused.
func (s *Server) SetPassword2(password string) error {
	s.Password2 = password
	data := []byte(s.User + ":{PLAIN}" + s.Password + "\n" + s.User2 + ":{PLAIN}" + s.Password2 + "\n")
	if err := os.WriteFile(filepath.Join(s.Dir, "passwd"), data, 0o644); err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	return nil
}
