package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"

	"popvault/fetch/pop3"
	"popvault/oauth"
)

// connect dials the account's server as its security setting says.
// STARTTLS never falls back to plaintext; a plain connection is used only
// when the account chose it.
func (f *Fetcher) connect(ctx context.Context, acct Account, secret string) (*pop3.Client, error) {
	opts := &pop3.Options{
		Timeout:           time.Duration(acct.Timeout),
		AllowInsecureAuth: acct.Security == SecurityPlain,
		DebugWriter:       f.DebugWriter,
	}
	cfg, err := f.tlsConfig(acct)
	if err != nil {
		return nil, err
	}
	opts.TLSConfig = cfg
	addr := net.JoinHostPort(acct.Host, strconv.Itoa(acct.Port))
	var c *pop3.Client
	if acct.Security == SecurityTLS {
		c, err = pop3.DialTLS(ctx, addr, opts)
	} else {
		c, err = pop3.Dial(ctx, addr, opts)
	}
	if err != nil {
		return nil, err
	}
	if acct.Security == SecurityStartTLS {
		if err := c.StartTLS(ctx); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// loginAndList logs in and reads the listing, pipelined where the server
// allows. It returns the session to go on with, which is not always c: a
// server that refuses a token sent in one step may close the connection,
// and the sign-in is then made again on a new one. The session returned
// is to be closed whatever the error.
func (f *Fetcher) loginAndList(ctx context.Context, c *pop3.Client, acct Account, secret string) (*pop3.Client, *pop3.Listing, error) {
	if acct.OAuth != "" || acct.TokenAuth {
		c, err := f.tokenLogin(ctx, c, acct)
		if err != nil {
			return c, nil, err
		}
		l, err := c.Listing(ctx)
		return c, l, err
	}
	l, err := c.LoginAndList(ctx, acct.User, secret)
	var perr *pop3.Error
	if errors.As(err, &perr) && perr.Command == "USER" {
		if aerr := c.Auth(ctx, sasl.NewPlainClient("", acct.User, secret)); aerr == nil {
			l, err = c.Listing(ctx)
		}
	}
	return c, l, err
}

// tokenLogin signs in with an access token: the account's OAuth token, or
// its token command's. An OAuth account uses OAUTHBEARER where the server
// offers it, else XOAUTH2; a token command's token goes as XOAUTH2.
//
// The token goes with the AUTH line, which saves a round trip; when the
// server refuses that at once, pop3 tries the two steps (AUTH, "+", the
// token) in the same session, and if the server closed the connection on
// refusing (Office 365's POP does), the sign-in is made again on a new
// connection in two steps. Microsoft's accounts go in two steps from the
// start. An OAuth token the server refuses is renewed once and tried once
// more, in the same session: it may have been revoked and reissued, or
// the server's clock may run ahead of ours.
func (f *Fetcher) tokenLogin(ctx context.Context, c *pop3.Client, acct Account) (*pop3.Client, error) {
	var token func(renewed bool) (string, error)
	switch {
	case acct.OAuth != "":
		if f.OAuth == nil {
			return c, ErrNotSignedIn
		}
		token = func(renewed bool) (string, error) { return f.OAuth.AccessToken(ctx, acct, f.now(), renewed) }
	default:
		command, err := f.tokenCommand(acct)
		if err != nil {
			return c, err
		}
		token = func(bool) (string, error) { return runTokenCommand(ctx, command) }
	}
	// CAPA before login: the mechanisms, and PIPELINING and UTF8 for
	// what follows.
	caps, err := c.Capa(ctx)
	if err != nil {
		return c, err
	}
	bearer := acct.OAuth != "" && slices.Contains(caps.SASL(), "OAUTHBEARER")
	twoStep := acct.OAuth == oauth.ProviderMicrosoft || strings.HasSuffix(strings.ToLower(acct.Host), ".office365.com")
	for renewed := false; ; renewed = true {
		tok, err := token(renewed)
		if err != nil {
			return c, err
		}
		client := pop3.NewXOAuth2Client(acct.User, tok)
		if bearer {
			client = pop3.NewOAuthBearerClient(acct.User, tok, acct.Host, acct.Port)
		}
		if twoStep {
			err = c.AuthTwoStep(ctx, client)
		} else {
			err = c.Auth(ctx, client)
		}
		if errors.Is(err, pop3.ErrInitialResponseRefused) {
			c.Close()
			twoStep = true
			fresh, cerr := f.connect(ctx, acct, "")
			if cerr != nil {
				return c, cerr // c is closed; closing it again does no harm
			}
			c = fresh
			if _, err = c.Capa(ctx); err == nil {
				err = c.AuthTwoStep(ctx, client)
			}
		}
		var terr *pop3.TokenError
		if !errors.As(err, &terr) || renewed || acct.OAuth == "" {
			return c, err
		}
	}
}

// tlsConfig is the account's TLS configuration: see TLSConfig.
func (f *Fetcher) tlsConfig(acct Account) (*tls.Config, error) {
	return TLSConfig(acct.Host, acct.CAFile, f.RootCAs)
}

// TLSConfig trusts the system's roots, plus a CA file (for self-hosted
// servers) and extra roots (tests, the demo), and checks the certificate
// names host as written. With a CA file, the chain is checked against it
// first and the system's roots are loaded only if that fails: parsing the
// system store costs as much as a whole check of a mailbox where nothing
// is new. The restore to IMAP uses it too.
func TLSConfig(host, caFile string, roots *x509.CertPool) (*tls.Config, error) {
	if caFile == "" && roots == nil {
		return &tls.Config{ServerName: host}, nil
	}
	if caFile == "" {
		return &tls.Config{ServerName: host, RootCAs: roots}, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("fetch: CA file: %w", err)
	}
	own := x509.NewCertPool()
	if roots != nil {
		own = roots.Clone()
	}
	if !own.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("fetch: CA file %s holds no PEM certificate", caFile)
	}
	return &tls.Config{
		ServerName: host,
		// Verification is not skipped: VerifyConnection below does all of
		// it, chain and host name, against the host as written.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			return verifyChain(cs.PeerCertificates, host, own)
		},
	}, nil
}

// verifyChain checks a server's chain for host against own, then against
// the system's roots.
func verifyChain(chain []*x509.Certificate, host string, own *x509.CertPool) error {
	if len(chain) == 0 {
		return errors.New("fetch: the server sent no certificate")
	}
	opts := x509.VerifyOptions{DNSName: host, Roots: own, Intermediates: x509.NewCertPool()}
	for _, c := range chain[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := chain[0].Verify(opts)
	if err == nil {
		return nil
	}
	opts.Roots = nil // the system's roots
	if _, serr := chain[0].Verify(opts); serr != nil {
		return &tls.CertificateVerificationError{UnverifiedCertificates: chain, Err: err}
	}
	return nil
}
