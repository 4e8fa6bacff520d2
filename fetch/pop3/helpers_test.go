package pop3

import (
	"crypto/tls"
	"net"

	"github.com/emersion/go-sasl"

	"popvault/fetch/pop3test"
)

func plain(user, pass string) sasl.Client { return sasl.NewPlainClient("", user, pass) }

// tlsFor trusts s's certificate when reached through a proxy.
func tlsFor(s *pop3test.Server) *tls.Config {
	cfg := s.ClientTLSConfig()
	cfg.ServerName = "127.0.0.1"
	return cfg
}

// tlsLike passes for a TLS connection, for transcripts of what a client
// does over TLS.
type tlsLike struct{ net.Conn }

func (tlsLike) ConnectionState() tls.ConnectionState { return tls.ConnectionState{} }
