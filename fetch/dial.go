package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"

	"popvault/bearer"
	"popvault/fetch/pop3"
	"popvault/oauth"
	"popvault/transport"
)

// connect dials the account's server as its security setting says.
// STARTTLS never falls back to plaintext; a plain connection is used only
// when the account chose it. known is what an earlier session learnt of
// the server (see known.go), or nil.
func (f *Fetcher) connect(ctx context.Context, acct Account, known pop3.Capabilities) (*pop3.Client, error) {
	opts := &pop3.Options{
		Timeout:           time.Duration(acct.Timeout),
		AllowInsecureAuth: acct.Security == transport.SecurityPlain,
		Known:             known,
		DebugWriter:       f.DebugWriter,
	}
	cfg, err := f.tlsConfig(acct)
	if err != nil {
		return nil, err
	}
	opts.TLSConfig = cfg
	addr := net.JoinHostPort(acct.Host, strconv.Itoa(acct.Port))
	var c *pop3.Client
	if acct.Security == transport.SecurityTLS {
		c, err = pop3.DialTLS(ctx, addr, opts)
	} else {
		c, err = pop3.Dial(ctx, addr, opts)
	}
	if err != nil {
		return nil, err
	}
	if acct.Security == transport.SecurityStartTLS {
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
func (f *Fetcher) loginAndList(ctx context.Context, c *pop3.Client, acct Account, in SignIn, secret string) (*pop3.Client, *pop3.Listing, error) {
	if acct.OAuth != "" || acct.TokenAuth {
		c, err := f.tokenLogin(ctx, c, acct, in)
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
func (f *Fetcher) tokenLogin(ctx context.Context, c *pop3.Client, acct Account, in SignIn) (*pop3.Client, error) {
	if in == nil {
		return c, ErrNotSignedIn
	}
	// CAPA before login: the mechanisms, and PIPELINING and UTF8 for
	// what follows.
	caps, err := c.Capa(ctx)
	if err != nil {
		return c, err
	}
	oauthBearer := acct.OAuth != "" && slices.Contains(caps.SASL(), "OAUTHBEARER")
	twoStep := acct.OAuth == oauth.ProviderMicrosoft || strings.HasSuffix(strings.ToLower(acct.Host), ".office365.com")
	for want := bearer.Current; ; want = bearer.Renewed {
		tok, err := in.Token(ctx, acct, want)
		if err != nil {
			return c, err
		}
		var client bearer.Client = bearer.NewXOAuth2(acct.User, tok)
		if oauthBearer {
			client = bearer.NewOAuthBearer(acct.User, tok, acct.Host, acct.Port)
		}
		if twoStep {
			err = c.AuthTwoStep(ctx, client)
		} else {
			err = c.Auth(ctx, client)
		}
		if errors.Is(err, pop3.ErrInitialResponseRefused) {
			c.Close()
			twoStep = true
			fresh, cerr := f.connect(ctx, acct, nil)
			if cerr != nil {
				return c, cerr // c is closed; closing it again does no harm
			}
			c = fresh
			if _, err = c.Capa(ctx); err == nil {
				err = c.AuthTwoStep(ctx, client)
			}
		}
		var terr *pop3.TokenError
		if !errors.As(err, &terr) || want == bearer.Renewed || acct.OAuth == "" {
			return c, err
		}
	}
}

// tlsConfig is the account's TLS configuration: see [transport.TLSConfig].
func (f *Fetcher) tlsConfig(acct Account) (*tls.Config, error) {
	return transport.TLSConfig(acct.Host, acct.CAFile, f.RootCAs)
}
