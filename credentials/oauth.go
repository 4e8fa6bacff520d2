package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"popvault/bearer"
	"popvault/fetch"
	"popvault/oauth"
	"popvault/transport"
)

// refreshBefore is how long before its expiry an access token is renewed:
// a session must not outlive its token.
const refreshBefore = 5 * time.Minute

// OAuthStore keeps what an OAuth account signs in with on this machine,
// never in the archive, each under the account's key:
//
//   - its client (an app registration: provider, client ID, endpoints and
//     scopes; not a secret, but no business of an archive that may
//     travel) in oauth-clients.json in ConfigDir;
//   - what is secret and cannot be had again without the person, the
//     refresh token and the client's secret where it has one, in the
//     keyring under "popvault-oauth", with the same fallback rules as
//     passwords. Nothing more: Windows' Credential Manager takes at most
//     2,560 bytes an entry and macOS's keychain through go-keyring about
//     3 KB, less than a whole token response (Microsoft's are about 5 KB);
//   - access tokens, good for an hour, in memory only, renewed from the
//     refresh token when they run out.
//
// Its methods are safe for concurrent use.
type OAuthStore struct {
	clients *fileStore
	tokens  Secrets
	hosts   map[string][]string
	// HTTPClient makes token requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Now is the clock access tokens expire by; nil means time.Now.
	Now func() time.Time

	mu     sync.Mutex
	locks  map[string]chan struct{} // key → held while its sign-in is read, renewed or written
	access map[string]oauth2.Token  // key → the access token in memory, with its expiry
}

// OAuthStoreOptions configure NewOAuthStore; zero values mean defaults.
type OAuthStoreOptions struct {
	ClientsFile string  // empty: oauth-clients.json in ConfigDir
	Tokens      Secrets // nil: the keyring, or oauth-tokens.json in ConfigDir where there is none
	// MailHosts replaces, per provider, the mail servers its sign-ins may
	// be sent to (see CheckHost): tests give their own loopback server.
	// Nil means the servers each provider documents.
	MailHosts map[string][]string
	Warn      func(string)
}

// NewOAuthStore returns the store.
func NewOAuthStore(opts OAuthStoreOptions) *OAuthStore {
	if opts.ClientsFile == "" {
		opts.ClientsFile = inConfigDir("oauth-clients.json")
	}
	if opts.Tokens == nil {
		opts.Tokens = NewSecrets(SecretsOptions{Service: "popvault-oauth", File: inConfigDir("oauth-tokens.json"), Warn: opts.Warn})
	}
	return &OAuthStore{clients: &fileStore{path: opts.ClientsFile}, tokens: opts.Tokens, hosts: opts.MailHosts,
		locks: map[string]chan struct{}{}, access: map[string]oauth2.Token{}}
}

// SignIn is a sign-in just made (the client it used and the token it
// got), held in memory until [OAuthStore.Save] keeps it: a dialog's Test
// connection uses it through [Store.Trying], and a dialog cancelled
// leaves nothing behind and replaces nothing.
type SignIn struct {
	client oauth.Client
	mu     sync.Mutex
	tok    oauth2.Token
}

// NewSignIn holds a finished sign-in.
func NewSignIn(c oauth.Client, tok *oauth2.Token) *SignIn {
	return &SignIn{client: c, tok: *tok}
}

// Client is the app the sign-in used.
func (in *SignIn) Client() oauth.Client { return in.client }

func (in *SignIn) current() (oauth.Client, oauth2.Token) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.client, in.tok
}

// accessToken is AccessToken for a sign-in held in memory; a renewal is
// kept in it, to be saved with it.
func (in *SignIn) accessToken(ctx context.Context, httpClient *http.Client, now time.Time, want bearer.Freshness) (string, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if want == bearer.Current && good(in.tok, now) {
		return in.tok.AccessToken, nil
	}
	fresh, err := oauth.Refresh(ctx, in.client, in.tok.RefreshToken, httpClient)
	if err != nil {
		return "", err
	}
	in.tok = onClock(*fresh, now)
	return in.tok.AccessToken, nil
}

// good reports whether tok's access token lasts a session from now.
func good(tok oauth2.Token, now time.Time) bool {
	return tok.AccessToken != "" && tok.Expiry.After(now.Add(refreshBefore))
}

// onClock sets a fresh token's expiry on the fetch's clock: the provider
// said how long from now, the fetch's clock says when now is.
func onClock(tok oauth2.Token, now time.Time) oauth2.Token {
	if !tok.Expiry.IsZero() {
		tok.Expiry = now.Add(time.Until(tok.Expiry))
	}
	return tok
}

// keptToken is the keyring's entry for a sign-in. AccessToken and Expiry
// are only read: an earlier popvault kept the whole token there, which
// is moved into this form when first read.
type keptToken struct {
	RefreshToken string    `json:"refresh_token"`
	ClientSecret string    `json:"client_secret,omitempty"`
	AccessToken  string    `json:"access_token,omitempty"`
	Expiry       time.Time `json:"expiry,omitzero"`
}

// Save keeps a finished sign-in for acct (the client it used and its
// refresh token) and its access token in memory. A renewal of acct's
// sign-in under way finishes first, so it cannot write over this one.
func (s *OAuthStore) Save(acct fetch.Account, in *SignIn) error {
	c, tok := in.current()
	if tok.RefreshToken == "" {
		return oauth.ErrNoRefreshToken
	}
	key := Key(acct)
	unlock, err := s.lock(context.Background(), key)
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.store(key, c, tok.RefreshToken); err != nil {
		return err
	}
	s.remember(key, tok)
	return nil
}

// Client returns the client acct signed in with on this machine, its
// secret included.
func (s *OAuthStore) Client(acct fetch.Account) (oauth.Client, error) {
	unlock, err := s.lock(context.Background(), Key(acct))
	if err != nil {
		return oauth.Client{}, err
	}
	defer unlock()
	c, _, err := s.load(acct)
	return c, err
}

// Delete forgets acct's sign-in: its client, its token, and the access
// token in memory.
func (s *OAuthStore) Delete(acct fetch.Account) error {
	key := Key(acct)
	unlock, err := s.lock(context.Background(), key)
	if err != nil {
		return err
	}
	defer unlock()
	s.mu.Lock()
	delete(s.access, key)
	s.mu.Unlock()
	return errors.Join(deleteBoth(acct, s.tokens.Delete), deleteBoth(acct, s.clients.Delete))
}

// Where says where the tokens are kept.
func (s *OAuthStore) Where() string { return Where(s.tokens) }

// AccessToken returns an access token for a session with acct's own
// server (CheckHost must allow it) that lasts a session from now, on the
// store's clock: the one in memory, or, when it has under refreshBefore
// left or want is [bearer.Renewed] (the server refused the last), a new
// one from the refresh token.
//
// Renewals of one sign-in are made one at a time, each from the refresh
// token the last one kept: a provider that rotates refresh tokens
// (Microsoft) retires the one a renewal used, so a second renewal from
// it at the same moment would fail, or keep a dead token over the live
// one.
func (s *OAuthStore) AccessToken(ctx context.Context, acct fetch.Account, want bearer.Freshness) (string, error) {
	if err := s.CheckHost(acct, acct.Host, acct.Security); err != nil {
		return "", err
	}
	return s.accessToken(ctx, acct, want)
}

// heldToken is AccessToken from a sign-in held in memory (see
// [Store.Trying]): CheckHost still decides where it may go.
func (s *OAuthStore) heldToken(ctx context.Context, acct fetch.Account, held *SignIn, want bearer.Freshness) (string, error) {
	if err := s.CheckHost(acct, acct.Host, acct.Security); err != nil {
		return "", err
	}
	return held.accessToken(ctx, s.HTTPClient, s.now(), want)
}

func (s *OAuthStore) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// TokenFor returns access tokens of acct's sign-in for connections to
// host with security sec (a restore's, a delivery's), once CheckHost has
// allowed them to go there.
func (s *OAuthStore) TokenFor(acct fetch.Account, host string, sec transport.Security) (bearer.TokenSource, error) {
	if err := s.CheckHost(acct, host, sec); err != nil {
		return nil, err
	}
	return func(ctx context.Context, want bearer.Freshness) (string, error) {
		return s.accessToken(ctx, acct, want)
	}, nil
}

func (s *OAuthStore) accessToken(ctx context.Context, acct fetch.Account, want bearer.Freshness) (string, error) {
	now := s.now()
	key := Key(acct)
	if tok, ok := s.inMemory(key, now); ok && want == bearer.Current {
		return tok, nil
	}
	unlock, err := s.lock(ctx, key)
	if err != nil {
		return "", err
	}
	defer unlock()
	c, refresh, err := s.load(acct)
	if err != nil {
		return "", err
	}
	// Renewed while this waited, or read from an earlier popvault's entry.
	if tok, ok := s.inMemory(key, now); ok && want == bearer.Current {
		return tok, nil
	}
	fresh, err := oauth.Refresh(ctx, c, refresh, s.HTTPClient)
	if err != nil {
		return "", err
	}
	if fresh.RefreshToken != refresh {
		if err := s.storeToken(key, c, fresh.RefreshToken); err != nil {
			// The new token works now; a rotated refresh token not kept
			// would need a new sign-in later, so say so.
			return "", fmt.Errorf("credentials: keeping the renewed sign-in: %w", err)
		}
	}
	tok := onClock(*fresh, now)
	s.remember(key, tok)
	return tok.AccessToken, nil
}

// lock waits, as long as ctx allows, until no one else reads, renews or
// writes the sign-in kept under key, and returns the function that lets
// the next one in. (A channel rather than a mutex, so that a wait ends
// with ctx: a restore cancelled while another renews is not held.)
func (s *OAuthStore) lock(ctx context.Context, key string) (func(), error) {
	s.mu.Lock()
	l, ok := s.locks[key]
	if !ok {
		l = make(chan struct{}, 1)
		s.locks[key] = l
	}
	s.mu.Unlock()
	select {
	case l <- struct{}{}:
		return func() { <-l }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("credentials: waiting for the sign-in: %w", ctx.Err())
	}
}

func (s *OAuthStore) inMemory(key string, now time.Time) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := s.access[key]
	return tok.AccessToken, good(tok, now)
}

func (s *OAuthStore) remember(key string, tok oauth2.Token) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access[key] = oauth2.Token{AccessToken: tok.AccessToken, Expiry: tok.Expiry}
}

// load reads acct's sign-in: the client, its secret included, and the
// refresh token. One kept before there were ids, under acct's bare
// name, is copied under its key first: renewals keep their refresh
// tokens there from then on. The caller holds the key's lock.
func (s *OAuthStore) load(acct fetch.Account) (oauth.Client, string, error) {
	key := Key(acct)
	c, kt, err := s.loadKey(key, acct.Name)
	if name := nameKey(acct); errors.Is(err, fetch.ErrNotSignedIn) && name != "" {
		var nerr error
		c, kt, nerr = s.loadKey(name, acct.Name)
		switch {
		case errors.Is(nerr, fetch.ErrNotSignedIn):
		case nerr != nil:
			err = nerr
		default:
			err = s.store(key, c, kt.RefreshToken)
		}
	}
	if err != nil {
		return oauth.Client{}, "", err
	}
	if kt.AccessToken != "" {
		if _, ok := s.inMemory(key, time.Time{}); !ok {
			s.remember(key, oauth2.Token{AccessToken: kt.AccessToken, Expiry: kt.Expiry})
		}
	}
	return c, kt.RefreshToken, nil
}

// loadKey reads the sign-in kept under key (name is the account's, for
// errors). One an earlier popvault kept (the client's secret in the
// file, the whole token in the keyring) is rewritten in this version's
// form before it is used; the access token it held is returned in kt.
func (s *OAuthStore) loadKey(key, name string) (oauth.Client, keptToken, error) {
	var c oauth.Client
	var kt keptToken
	cv, err := s.clients.Get(key)
	if errors.Is(err, ErrNoSecret) {
		return c, kt, fetch.ErrNotSignedIn
	}
	if err != nil {
		return c, kt, err
	}
	if err := json.Unmarshal([]byte(cv), &c); err != nil {
		return c, kt, fmt.Errorf("credentials: the sign-in of %s is damaged in %s: sign in again", name, s.clients.path)
	}
	tv, err := s.tokens.Get(key)
	if errors.Is(err, ErrNoSecret) {
		return c, kt, fetch.ErrNotSignedIn
	}
	if err != nil {
		return c, kt, err
	}
	if err := json.Unmarshal([]byte(tv), &kt); err != nil || kt.RefreshToken == "" {
		return c, kt, fetch.ErrNotSignedIn
	}
	old := c.ClientSecret != "" || kt.AccessToken != ""
	if kt.ClientSecret == "" {
		kt.ClientSecret = c.ClientSecret
	}
	c.ClientSecret = kt.ClientSecret
	if old {
		if err := s.store(key, c, kt.RefreshToken); err != nil {
			return c, kt, fmt.Errorf("credentials: moving the sign-in of %s into this version's form: %w", name, err)
		}
	}
	return c, kt, nil
}

// store keeps a sign-in under key: the refresh token and the client's
// secret in the keyring, the rest of the client in the file.
func (s *OAuthStore) store(key string, c oauth.Client, refresh string) error {
	if err := s.storeToken(key, c, refresh); err != nil {
		return fmt.Errorf("credentials: keeping the sign-in: %w", err)
	}
	c.ClientSecret = ""
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	return s.clients.Set(key, string(b))
}

// storeToken keeps the keyring's part of a sign-in.
func (s *OAuthStore) storeToken(key string, c oauth.Client, refresh string) error {
	b, err := json.Marshal(keptToken{RefreshToken: refresh, ClientSecret: c.ClientSecret})
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	return s.tokens.Set(key, string(b))
}

// ErrTokenHost: an OAuth sign-in was asked for a server it does not
// belong to, or for an unencrypted connection.
var ErrTokenHost = errors.New("credentials: a sign-in goes only to its own provider's mail servers, encrypted")

type tokenHostError struct{ msg string }

func (e *tokenHostError) Error() string        { return "credentials: " + e.msg }
func (e *tokenHostError) Is(target error) bool { return target == ErrTokenHost }

// CheckHost is the one rule for where an OAuth account's tokens may go:
// to its provider's own mail servers (Google's, Microsoft's, as each
// documents them), or for another provider to the account's own server;
// and never over a connection without encryption, except to this
// machine. Anything else is an error that says why, in a sentence: a
// token sent elsewhere lets whoever runs that server read the mail.
func (s *OAuthStore) CheckHost(acct fetch.Account, host string, sec transport.Security) error {
	h := normalHost(host)
	var allowed []string
	where := "its own server"
	switch acct.OAuth {
	case oauth.ProviderGoogle, oauth.ProviderMicrosoft:
		allowed = oauth.MailHosts(acct.OAuth)
		if hosts, ok := s.hosts[acct.OAuth]; ok {
			allowed = hosts
		}
		where = "Google's mail servers"
		if acct.OAuth == oauth.ProviderMicrosoft {
			where = "Microsoft's mail servers"
		}
	case oauth.ProviderCustom:
		allowed = []string{acct.Host}
	default:
		return fmt.Errorf("credentials: %s does not sign in with OAuth", acct.Name)
	}
	if !slices.ContainsFunc(allowed, func(a string) bool { return normalHost(a) == h }) {
		return &tokenHostError{fmt.Sprintf("the sign-in of %s goes only to %s (%s), never to %s: sign in there with its own password, or choose one of those servers",
			acct.Name, where, strings.Join(allowed, ", "), host)}
	}
	if sec == transport.SecurityPlain && !isLoopback(h) {
		return &tokenHostError{fmt.Sprintf("the sign-in of %s is never sent unencrypted: choose TLS or STARTTLS for %s", acct.Name, host)}
	}
	return nil
}

func normalHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ".")
}

func isLoopback(h string) bool {
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return h == "localhost" || ip != nil && ip.IsLoopback()
}
