// Package transport holds what protects a mail connection, whatever the
// protocol it carries: the security a person chose for it ([Security]:
// implicit TLS, STARTTLS, or none), the default ports for each
// ([Protocol.DefaultPort]), and the TLS configuration that checks the
// server's certificate against the system's roots and an optional CA
// file ([TLSConfig]). The POP3 fetch and the IMAP restore both use it, so
// that neither borrows the other's.
package transport

// Security is how a connection is protected. Its values are what an
// account's settings store in an archive ("tls", "starttls", "plain"):
// they never change.
type Security string

const (
	SecurityTLS      Security = "tls"      // implicit TLS from the first byte
	SecurityStartTLS Security = "starttls" // STLS or STARTTLS on the plain port; never falls back
	SecurityPlain    Security = "plain"    // no encryption: the password travels in clear
)

// Protocol is a mail protocol, for its default ports.
type Protocol int

const (
	POP3 Protocol = iota // RFC 1939: 995 with TLS, 110 otherwise
	IMAP                 // RFC 9051: 993 with TLS, 143 otherwise
)

// DefaultPort is the protocol's port for a security: its TLS port for
// SecurityTLS, its plain port (where STARTTLS is offered too) otherwise.
func (p Protocol) DefaultPort(s Security) int {
	tls := s == SecurityTLS
	switch {
	case p == IMAP && tls:
		return 993
	case p == IMAP:
		return 143
	case tls:
		return 995
	}
	return 110
}
