package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"

	"popvault/fetch/pop3"
)

// connect dials the account's server as its security setting says and
// logs in. STARTTLS never falls back to plaintext; a plain connection is
// used only when the account chose it.
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
	if err := f.login(ctx, c, acct, secret); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func (f *Fetcher) login(ctx context.Context, c *pop3.Client, acct Account, secret string) error {
	if acct.TokenCommand != "" {
		token, err := runTokenCommand(ctx, acct.TokenCommand)
		if err != nil {
			return err
		}
		return c.Auth(ctx, pop3.NewXOAuth2Client(acct.User, token))
	}
	err := c.Login(ctx, acct.User, secret)
	var perr *pop3.Error
	if errors.As(err, &perr) && perr.Command == "USER" {
		// Some servers take only SASL: try PLAIN before giving up.
		if aerr := c.Auth(ctx, sasl.NewPlainClient("", acct.User, secret)); aerr == nil {
			return nil
		}
	}
	return err
}

// tlsConfig trusts the system's roots, plus the account's CA file and the
// fetcher's extra roots.
func (f *Fetcher) tlsConfig(acct Account) (*tls.Config, error) {
	if acct.CAFile == "" && f.RootCAs == nil {
		return &tls.Config{ServerName: acct.Host}, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if f.RootCAs != nil {
		pool = f.RootCAs
	}
	if acct.CAFile != "" {
		pem, err := os.ReadFile(acct.CAFile)
		if err != nil {
			return nil, fmt.Errorf("fetch: CA file: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("fetch: CA file %s holds no PEM certificate", acct.CAFile)
		}
	}
	return &tls.Config{ServerName: acct.Host, RootCAs: pool}, nil
}

// runTokenCommand runs the account's token command and returns the first
// line it prints. Its error output is not shown: it may hold secrets.
func runTokenCommand(ctx context.Context, command string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sh", "-c", command).Output()
	if err != nil {
		return "", fmt.Errorf("fetch: token command failed: %w", err)
	}
	token, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	if token == "" {
		return "", errors.New("fetch: token command printed nothing")
	}
	return token, nil
}
