package fetch

import (
	"context"
	"errors"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"popvault/bearer"
	"popvault/fetch/pop3test"
	"popvault/oauth"
	"popvault/oauth/oauthtest"
)

// MemorySecrets gives accounts the passwords set in it, by the account's
// name, as the window's store does by name and id; it has no tokens. For
// tests: the engine is tested without a keyring, as it runs.
type MemorySecrets struct {
	mu sync.Mutex
	m  map[string]string
}

// errNoPassword is MemorySecrets' error for an account it has none for.
var errNoPassword = errors.New("fetch: no password stored for this account")

func (s *MemorySecrets) Set(name, password string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[name] = password
	return nil
}

func (s *MemorySecrets) Password(_ context.Context, acct Account) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pw, ok := s.m[acct.Name]
	if !ok {
		return "", errNoPassword
	}
	return pw, nil
}

func (s *MemorySecrets) Token(context.Context, Account, bearer.Freshness) (string, error) {
	return "", ErrNotSignedIn
}

// providerSignIn signs accounts in at a test provider with the token of
// one sign-in there, renewed there when asked, as the window's store
// does (without keeping anything).
type providerSignIn struct {
	p   *oauthtest.Server
	mu  sync.Mutex
	tok *oauth2.Token
}

func (s *providerSignIn) Password(context.Context, Account) (string, error) {
	return "", errors.New("fetch: an OAuth account has no password")
}

func (s *providerSignIn) Token(ctx context.Context, _ Account, want bearer.Freshness) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if want == bearer.Renewed {
		fresh, err := oauth.Refresh(ctx, s.p.Client(), s.tok.RefreshToken, nil)
		if err != nil {
			return "", err
		}
		s.tok = fresh
	}
	return s.tok.AccessToken, nil
}

// signedInAt signs in at p, as the window would before a fetch.
func signedInAt(t *testing.T, p *oauthtest.Server) *providerSignIn {
	t.Helper()
	tok, err := oauth.SignIn(context.Background(), p.Client(), oauth.SignInOptions{Open: p.Browser})
	if err != nil {
		t.Fatal(err)
	}
	return &providerSignIn{p: p, tok: tok}
}

// oauthEnv is an env whose account signs in with OAuth at a local
// provider, signed in already, as the window leaves it.
func oauthEnv(t *testing.T, cfg pop3test.Config, provider string) (*env, *oauthtest.Server) {
	p := oauthtest.NewServer("popvault-test", "installed-app-secret")
	t.Cleanup(p.Close)
	cfg.ValidToken = p.Valid
	e := newEnv(t, cfg, true)
	e.acct.OAuth = provider
	e.fetcher.Secrets = signedInAt(t, p) // no password anywhere
	return e, p
}
