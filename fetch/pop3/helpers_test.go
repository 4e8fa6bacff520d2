package pop3

import (
	"crypto/tls"

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
