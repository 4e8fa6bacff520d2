package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"popvault/oauth"
)

// ErrNotSignedIn: the account signs in with OAuth and has not signed in on
// this machine (an archive from elsewhere, or a sign-in never finished).
var ErrNotSignedIn = errors.New("fetch: not signed in on this machine")

// NeedsSignIn reports whether err means that only a person signing in
// again, in a browser, can fix the account: never something an unattended
// check should try.
func NeedsSignIn(err error) bool {
	return errors.Is(err, oauth.ErrSignInAgain) || errors.Is(err, ErrNotSignedIn)
}

// refreshBefore is how long before its expiry an access token is renewed:
// a session must not outlive its token.
const refreshBefore = 5 * time.Minute

// OAuthStore keeps what an OAuth account signs in with, on this machine:
// its client (an app registration: not a secret, but no business of an
// archive that may travel) in oauth-clients.json in ConfigDir, and its
// token (refresh and access) in the keyring, under "popvault-oauth",
// with the same fallback rules as passwords. Never in the archive.
type OAuthStore struct {
	clients *fileStore
	tokens  Secrets
	// HTTPClient makes token requests; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// OAuthStoreOptions configure NewOAuthStore; zero values mean defaults.
type OAuthStoreOptions struct {
	ClientsFile string  // empty: oauth-clients.json in ConfigDir
	Tokens      Secrets // nil: the keyring, or oauth-tokens.json in ConfigDir where there is none
	Warn        func(string)
}

// NewOAuthStore returns the store.
func NewOAuthStore(opts OAuthStoreOptions) *OAuthStore {
	if opts.ClientsFile == "" {
		opts.ClientsFile = inConfigDir("oauth-clients.json")
	}
	if opts.Tokens == nil {
		opts.Tokens = NewSecrets(SecretsOptions{Service: "popvault-oauth", File: inConfigDir("oauth-tokens.json"), Warn: opts.Warn})
	}
	return &OAuthStore{clients: &fileStore{path: opts.ClientsFile}, tokens: opts.Tokens}
}

// Save records a finished sign-in: the client it used and its token.
func (s *OAuthStore) Save(account string, c oauth.Client, tok *oauth2.Token) error {
	cb, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	tb, err := json.Marshal(tok)
	if err != nil {
		return fmt.Errorf("fetch: %w", err)
	}
	if err := s.tokens.Set(account, string(tb)); err != nil {
		return fmt.Errorf("storing the sign-in: %w", err)
	}
	return s.clients.Set(account, string(cb))
}

// Client returns the client an account signed in with on this machine.
func (s *OAuthStore) Client(account string) (oauth.Client, error) {
	v, err := s.clients.Get(account)
	if errors.Is(err, ErrNoSecret) {
		return oauth.Client{}, ErrNotSignedIn
	}
	if err != nil {
		return oauth.Client{}, err
	}
	var c oauth.Client
	if err := json.Unmarshal([]byte(v), &c); err != nil {
		return oauth.Client{}, fmt.Errorf("fetch: the sign-in of %s: %w", account, err)
	}
	return c, nil
}

// Delete forgets an account's sign-in.
func (s *OAuthStore) Delete(account string) error {
	return errors.Join(s.tokens.Delete(account), s.clients.Delete(account))
}

// Where says where the tokens are kept.
func (s *OAuthStore) Where() string { return Where(s.tokens) }

// AccessToken returns an access token good for a session from now:
// the one kept, or, when it has under refreshBefore left (or force says
// the server refused it), a new one from the refresh token, kept in turn.
// now is the fetch's clock.
func (s *OAuthStore) AccessToken(ctx context.Context, account string, now time.Time, force bool) (string, error) {
	c, err := s.Client(account)
	if err != nil {
		return "", err
	}
	v, err := s.tokens.Get(account)
	if errors.Is(err, ErrNoSecret) {
		return "", ErrNotSignedIn
	}
	if err != nil {
		return "", err
	}
	var tok oauth2.Token
	if err := json.Unmarshal([]byte(v), &tok); err != nil || tok.RefreshToken == "" {
		return "", ErrNotSignedIn
	}
	if !force && tok.AccessToken != "" && tok.Expiry.After(now.Add(refreshBefore)) {
		return tok.AccessToken, nil
	}
	fresh, err := oauth.Refresh(ctx, c, tok.RefreshToken, s.HTTPClient)
	if err != nil {
		return "", err
	}
	if !fresh.Expiry.IsZero() {
		// The provider said how long from now; the fetch's clock says when
		// now is.
		fresh.Expiry = now.Add(time.Until(fresh.Expiry))
	}
	b, err := json.Marshal(fresh)
	if err == nil {
		err = s.tokens.Set(account, string(b))
	}
	if err != nil {
		// The new token works now; a rotated refresh token not kept would
		// need a new sign-in later, so say so.
		return "", fmt.Errorf("fetch: keeping the renewed sign-in: %w", err)
	}
	return fresh.AccessToken, nil
}
