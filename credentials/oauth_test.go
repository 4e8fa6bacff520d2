package credentials

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/zalando/go-keyring"

	"popvault/bearer"
	"popvault/fetch"
	"popvault/fetch/pop3test"
	"popvault/oauth"
	"popvault/oauth/oauthtest"
	"popvault/transport"
)

// oauthEnv is an env whose account signs in with OAuth at a local
// provider, signed in already, as the window leaves it.
func oauthEnv(t *testing.T, cfg pop3test.Config, provider string) (*env, *oauthtest.Server) {
	p := oauthtest.NewServer("popvault-test", "installed-app-secret")
	t.Cleanup(p.Close)
	cfg.ValidToken = p.Valid
	e := newEnv(t, cfg, true)
	e.acct.OAuth = provider
	e.store.Passwords = nil // no password anywhere
	dir := t.TempDir()
	e.store.OAuth = NewOAuthStore(OAuthStoreOptions{ClientsFile: filepath.Join(dir, "clients.json"), Tokens: &MemorySecrets{}, MailHosts: loopbackHosts})
	tok, err := oauth.SignIn(context.Background(), p.Client(), oauth.SignInOptions{Open: p.Browser})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.OAuth.Save(e.acct, NewSignIn(p.Client(), tok)); err != nil {
		t.Fatal(err)
	}
	return e, p
}

// loopbackHosts lets Google's and Microsoft's sign-ins go to the test
// servers on 127.0.0.1, as if they were the providers' own.
var loopbackHosts = map[string][]string{oauth.ProviderGoogle: {"127.0.0.1"}, oauth.ProviderMicrosoft: {"127.0.0.1"}}

// An OAuth account fetches with no password, a day later with a renewed
// token and no prompt; a token the server refuses is renewed and tried
// once more; a revoked sign-in asks for a new one, in words, without a
// loop.
func TestOAuthFetch(t *testing.T) {
	e, p := oauthEnv(t, pop3test.Config{Messages: smallCorpus(3)}, oauth.ProviderCustom)
	now := time.Now()
	e.store.OAuth.Now = func() time.Time { return now }
	if r := e.fetch(); r.Err != nil || r.New != 3 || p.Count("refresh_token") != 0 || e.server.Count("AUTH OAUTHBEARER") != 1 {
		t.Fatalf("first fetch: %+v, %d refreshes, %d OAUTHBEARER", r, p.Count("refresh_token"), e.server.Count("AUTH OAUTHBEARER"))
	}
	// A day later: the access token has expired; the refresh token has not.
	now = now.Add(24 * time.Hour)
	p.Advance(24 * time.Hour)
	later := pop3test.Message{UID: "later", Data: smallCorpus(4)[3].Data}
	e.server.Add(later)
	e.orig = append(e.orig, later)
	if r := e.fetch(); r.Err != nil || r.New != 1 || p.Count("refresh_token") != 1 {
		t.Fatalf("a day later: %+v, %d refreshes", r, p.Count("refresh_token"))
	}
	if r := e.fetch(); r.Err != nil || p.Count("refresh_token") != 1 {
		t.Fatalf("the renewed token kept: %+v, %d refreshes", r, p.Count("refresh_token"))
	}
	// The server refuses a token we think fresh: one renewal, one retry.
	p.Expire()
	refused := e.server.Count("(refused token)")
	if r := e.fetch(); r.Err != nil || p.Count("refresh_token") != 2 || e.server.Count("(refused token)") != refused+1 {
		t.Fatalf("a refused token: %+v, %d refreshes", r, p.Count("refresh_token"))
	}
	// Revoked: a sign-in is needed, said in words, tried once.
	p.Revoke()
	auths := e.server.Count("AUTH")
	r := e.fetch()
	if !fetch.NeedsSignIn(r.Err) || fetch.IsTemporary(r.Err) || p.Count("refresh_token") != 3 || e.server.Count("AUTH") != auths+1 {
		t.Fatalf("revoked: %v (temporary %v), %d refreshes, %d AUTHs", r.Err, fetch.IsTemporary(r.Err), p.Count("refresh_token"), e.server.Count("AUTH")-auths)
	}
	e.check()
}

// An account whose sign-in is not on this machine says what to do.
func TestOAuthNotSignedIn(t *testing.T) {
	e := newEnv(t, pop3test.Config{}, true)
	e.acct.OAuth = oauth.ProviderGoogle
	e.store.OAuth = NewOAuthStore(OAuthStoreOptions{ClientsFile: filepath.Join(t.TempDir(), "c.json"), Tokens: &MemorySecrets{}, MailHosts: loopbackHosts})
	if r := e.fetch(); !fetch.NeedsSignIn(r.Err) || e.server.Count("AUTH") != 0 {
		t.Fatalf("%v", r.Err)
	}
}

// windowsCredentials is a secret store that refuses what Windows'
// Credential Manager refuses: a secret over 2,560 bytes, as go-keyring
// says it there.
type windowsCredentials struct {
	MemorySecrets
	largest int
}

func (w *windowsCredentials) Set(key, secret string) error {
	if len(secret) > 2560 {
		return keyringErr(keyring.ErrSetDataTooBig)
	}
	w.largest = max(w.largest, len(secret))
	return w.MemorySecrets.Set(key, secret)
}

// A provider whose token answers are 5.5 KB, as Microsoft's are: the
// sign-in is kept in a store with Windows' limit, renewed (the provider
// rotating the refresh token) and kept again; what the store holds is the
// refresh token and the client's secret, never an access or ID token.
func TestOAuthFitsWindowsCredentials(t *testing.T) {
	p := oauthtest.NewServer("popvault-test", "app-secret")
	defer p.Close()
	p.Large(true)
	p.Rotate(true)
	tok, err := oauth.SignIn(context.Background(), p.Client(), oauth.SignInOptions{Open: p.Browser})
	if err != nil {
		t.Fatal(err)
	}
	if raw, _ := json.Marshal(tok.Extra("id_token")); len(tok.AccessToken)+len(tok.RefreshToken)+len(raw) < 5000 {
		t.Fatalf("the provider's answer is not that large: %d + %d + %d bytes", len(tok.AccessToken), len(tok.RefreshToken), len(raw))
	}
	store := &windowsCredentials{}
	s := NewOAuthStore(OAuthStoreOptions{ClientsFile: filepath.Join(t.TempDir(), "c.json"), Tokens: store})
	acct := fetch.Account{Name: "outlook", ID: fetch.NewAccountID(), OAuth: oauth.ProviderCustom, Host: "127.0.0.1"}
	if err := s.Save(acct, NewSignIn(p.Client(), tok)); err != nil {
		t.Fatal(err)
	}
	if got, err := s.AccessToken(context.Background(), acct, bearer.Current); err != nil || got != tok.AccessToken {
		t.Fatalf("the access token after the sign-in: %v", err)
	}
	renewed, err := s.AccessToken(context.Background(), acct, bearer.Renewed)
	if err != nil || !p.Valid(renewed) || p.Count("refresh_token") != 1 {
		t.Fatalf("renewed: %v, %d refreshes", err, p.Count("refresh_token"))
	}
	kept, _ := store.Get(Key(acct))
	for _, issued := range p.Issued() {
		if strings.Contains(kept, issued) && len(issued) > 2000 {
			t.Fatal("an access token is kept in the store")
		}
	}
	var k keptToken
	if json.Unmarshal([]byte(kept), &k) != nil || k.ClientSecret != "app-secret" || !strings.Contains(strings.Join(p.Issued(), " "), k.RefreshToken) {
		t.Fatalf("the kept entry: %.100s…", kept)
	}
	t.Logf("largest entry: %d bytes", store.largest)
}

// What an earlier popvault kept (the whole token in the keyring, the
// client's secret in oauth-clients.json, both under the account's bare
// name) is used as it is, then kept in this version's form: under the
// account's key, a copy (the name's entries stay for another archive's
// account of that name, rewritten the same way), with no access token in
// the keyring and no secret in the file.
func TestOAuthOldEntriesMoved(t *testing.T) {
	p := oauthtest.NewServer("popvault-test", "app-secret")
	defer p.Close()
	tok, err := oauth.SignIn(context.Background(), p.Client(), oauth.SignInOptions{Open: p.Browser})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	clientsFile := filepath.Join(dir, "oauth-clients.json")
	cb, _ := json.Marshal(p.Client())
	tb, _ := json.Marshal(tok)
	entries, _ := json.Marshal(map[string]string{"home": string(cb)})
	os.WriteFile(clientsFile, entries, 0o600)
	tokens := &MemorySecrets{}
	tokens.Set("home", string(tb))
	s := NewOAuthStore(OAuthStoreOptions{ClientsFile: clientsFile, Tokens: tokens})
	acct := fetch.Account{Name: "home", ID: fetch.NewAccountID(), NameKeyed: true, OAuth: oauth.ProviderCustom, Host: "127.0.0.1"}

	if got, err := s.AccessToken(context.Background(), acct, bearer.Current); err != nil || got != tok.AccessToken || p.Count("refresh_token") != 0 {
		t.Fatalf("the kept access token: %v, %d refreshes", err, p.Count("refresh_token"))
	}
	file, _ := os.ReadFile(clientsFile)
	if strings.Contains(string(file), "app-secret") || !strings.Contains(string(file), Key(acct)) || !strings.Contains(string(file), `"home"`) {
		t.Fatalf("oauth-clients.json: %s", file)
	}
	for _, key := range []string{"home", Key(acct)} {
		v, err := tokens.Get(key)
		if err != nil || strings.Contains(v, tok.AccessToken) || !strings.Contains(v, tok.RefreshToken) || !strings.Contains(v, "app-secret") {
			t.Fatalf("%s: %q, %v", key, v, err)
		}
	}
	// The provider checks the client's secret: a renewal proves it kept.
	if _, err := s.AccessToken(context.Background(), acct, bearer.Renewed); err != nil || p.Count("refresh_token") != 1 {
		t.Fatalf("a renewal: %v", err)
	}
	other := fetch.Account{Name: "home", ID: fetch.NewAccountID(), NameKeyed: true, OAuth: oauth.ProviderCustom, Host: "127.0.0.1"}
	if c, err := s.Client(other); err != nil || c.ClientSecret != "app-secret" {
		t.Fatalf("another archive's home: %+v, %v", c, err)
	}
}

// Renewals of one sign-in happen one at a time: with a provider that
// rotates refresh tokens, a second renewal from the token the first just
// used would fail, or keep a dead token over the live one. Inside a
// synctest bubble the provider holds each renewal until both callers
// have gone as far as they can: only one may be at the provider.
func TestOAuthRenewalsOneAtATime(t *testing.T) {
	p := oauthtest.NewServer("popvault-test", "app-secret")
	defer p.Close()
	p.Rotate(true)
	tok, err := oauth.SignIn(context.Background(), p.Client(), oauth.SignInOptions{Open: p.Browser})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		atProvider := 0
		release := make(chan struct{})
		provider := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
			mu.Lock()
			atProvider++
			mu.Unlock()
			<-release
			rec := httptest.NewRecorder()
			p.Config.Handler.ServeHTTP(rec, r) // no network: all of it stays in the bubble
			return rec.Result(), nil
		})}
		s := NewOAuthStore(OAuthStoreOptions{ClientsFile: filepath.Join(dir, "c.json"), Tokens: &MemorySecrets{}})
		s.HTTPClient = provider
		acct := fetch.Account{Name: "o", ID: fetch.NewAccountID(), OAuth: oauth.ProviderCustom, Host: "127.0.0.1"}
		if err := s.Save(acct, NewSignIn(p.Client(), tok)); err != nil {
			t.Fatal(err)
		}
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				_, err := s.AccessToken(context.Background(), acct, bearer.Renewed)
				errs <- err
			}()
		}
		synctest.Wait()
		mu.Lock()
		if atProvider != 1 {
			t.Errorf("%d renewals of one sign-in at the provider at once", atProvider)
		}
		mu.Unlock()
		close(release)
		for range 2 {
			if err := <-errs; err != nil {
				t.Errorf("a renewal: %v", err)
			}
		}
		if _, err := s.AccessToken(context.Background(), acct, bearer.Renewed); err != nil {
			t.Errorf("the kept refresh token is not the live one: %v", err)
		}
	})
}

// Many connections at once (a restore's, a fetch's) renew one sign-in
// at a provider that rotates refresh tokens: every renewal succeeds,
// never two at a time, and the token kept at the end is live.
func TestOAuthRenewalsConcurrent(t *testing.T) {
	e, p := oauthEnv(t, pop3test.Config{}, oauth.ProviderCustom)
	p.Rotate(true)
	var mu sync.Mutex
	inFlight, most := 0, 0
	e.store.OAuth.HTTPClient = &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		mu.Unlock()
		defer func() { mu.Lock(); inFlight--; mu.Unlock() }()
		return http.DefaultTransport.RoundTrip(r)
	})}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 16 {
		wg.Go(func() {
			for range 4 {
				if _, err := e.store.OAuth.AccessToken(context.Background(), e.acct, bearer.Renewed); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a renewal: %v", err)
	}
	if most != 1 || p.Count("refresh_token") != 64 {
		t.Fatalf("%d renewals at once at most, %d in all", most, p.Count("refresh_token"))
	}
	if r := e.fetch(); r.Err != nil {
		t.Fatalf("a fetch after: %v", r.Err)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Where a sign-in may go: its provider's own mail servers (Google's and
// Microsoft's as documented, another provider's account's own server),
// encrypted unless on this machine; anything else is refused in words.
func TestOAuthCheckHost(t *testing.T) {
	s := NewOAuthStore(OAuthStoreOptions{ClientsFile: filepath.Join(t.TempDir(), "c.json"), Tokens: &MemorySecrets{}})
	gmail := fetch.Account{Name: "Gmail", OAuth: oauth.ProviderGoogle, Host: "pop.gmail.com"}
	outlook := fetch.Account{Name: "Outlook", OAuth: oauth.ProviderMicrosoft, Host: "outlook.office365.com"}
	own := fetch.Account{Name: "Own", OAuth: oauth.ProviderCustom, Host: "mail.example.org"}
	tests := []struct {
		acct fetch.Account
		host string
		sec  transport.Security
		ok   bool
	}{
		{gmail, "imap.gmail.com", transport.SecurityTLS, true},
		{gmail, "IMAP.Gmail.com.", transport.SecurityTLS, true},
		{gmail, "pop.gmail.com", transport.SecurityStartTLS, true},
		{gmail, "imap.fastmail.com", transport.SecurityTLS, false},
		{gmail, "imap.gmail.com.evil.example", transport.SecurityTLS, false},
		{gmail, "outlook.office365.com", transport.SecurityTLS, false},
		{gmail, "imap.gmail.com", transport.SecurityPlain, false},
		{outlook, "outlook.office365.com", transport.SecurityTLS, true},
		{outlook, "imap-mail.outlook.com", transport.SecurityTLS, true},
		{outlook, "imap.gmail.com", transport.SecurityTLS, false},
		{own, "mail.example.org", transport.SecurityTLS, true},
		{own, "imap.example.org", transport.SecurityTLS, false},
		{own, "mail.example.org", transport.SecurityPlain, false},
		{fetch.Account{Name: "Local", OAuth: oauth.ProviderCustom, Host: "127.0.0.1"}, "127.0.0.1", transport.SecurityPlain, true},
		{fetch.Account{Name: "Password", Host: "pop.example.org"}, "pop.example.org", transport.SecurityTLS, false},
	}
	for _, tt := range tests {
		err := s.CheckHost(tt.acct, tt.host, tt.sec)
		if (err == nil) != tt.ok {
			t.Errorf("%s to %s (%s): %v", tt.acct.Name, tt.host, tt.sec, err)
		}
		if _, terr := s.TokenFor(tt.acct, tt.host, tt.sec); (terr == nil) != tt.ok {
			t.Errorf("TokenFor %s to %s: %v", tt.acct.Name, tt.host, terr)
		}
		if err != nil && tt.acct.OAuth != "" && (!errors.Is(err, ErrTokenHost) || !strings.Contains(err.Error(), tt.acct.Name)) {
			t.Errorf("not said in words: %v", err)
		}
	}
}

// A Google account whose server was changed (by an edit, or in an
// archive from elsewhere) does not send its token there: the fetch
// stops before AUTH, and says why.
func TestOAuthFetchOnlyToProvider(t *testing.T) {
	e, p := oauthEnv(t, pop3test.Config{Messages: smallCorpus(1)}, oauth.ProviderGoogle)
	e.store.OAuth.hosts = map[string][]string{oauth.ProviderGoogle: {"localhost"}}
	r := e.fetch()
	if !errors.Is(r.Err, ErrTokenHost) || e.server.Count("AUTH") != 0 || p.Count("refresh_token") != 0 {
		t.Fatalf("%v, %d AUTH", r.Err, e.server.Count("AUTH"))
	}
}

// A sign-in held in memory (the account dialog's, before Save) signs in
// and is renewed there; nothing of it reaches the store.
func TestOAuthHeldSignIn(t *testing.T) {
	e, p := oauthEnv(t, pop3test.Config{Messages: smallCorpus(1)}, oauth.ProviderCustom)
	tokens := &MemorySecrets{}
	e.store.OAuth = NewOAuthStore(OAuthStoreOptions{ClientsFile: filepath.Join(t.TempDir(), "c.json"), Tokens: tokens})
	tok, err := oauth.SignIn(context.Background(), p.Client(), oauth.SignInOptions{Open: p.Browser})
	if err != nil {
		t.Fatal(err)
	}
	held := NewSignIn(p.Client(), tok)
	p.Expire()
	if _, _, err := e.fetcher.TryConnection(context.Background(), e.acct, e.store.Trying("", held)); err != nil || p.Count("refresh_token") != 1 {
		t.Fatalf("Test connection: %v", err)
	}
	if _, fresh := held.current(); fresh.AccessToken == tok.AccessToken || !p.Valid(fresh.AccessToken) {
		t.Fatal("the renewal is not held")
	}
	if len(tokens.m) != 0 {
		t.Fatalf("the store holds %d entries", len(tokens.m))
	}
}
