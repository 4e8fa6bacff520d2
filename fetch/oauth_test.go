package fetch

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"popvault/fetch/pop3test"
	"popvault/oauth"
	"popvault/oauth/oauthtest"
)

// oauthEnv is an env whose account signs in with OAuth at a local
// provider, signed in already, as the window leaves it.
func oauthEnv(t *testing.T, cfg pop3test.Config, provider string) (*env, *oauthtest.Server) {
	p := oauthtest.NewServer("popvault-test", "installed-app-secret")
	t.Cleanup(p.Close)
	cfg.ValidToken = p.Valid
	e := newEnv(t, cfg, true)
	e.acct.OAuth = provider
	e.fetcher.Secrets = nil // no password anywhere
	dir := t.TempDir()
	e.fetcher.OAuth = NewOAuthStore(OAuthStoreOptions{ClientsFile: filepath.Join(dir, "clients.json"), Tokens: &MemorySecrets{}})
	tok, err := oauth.SignIn(context.Background(), p.Client(), oauth.SignInOptions{Open: p.Browser})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.fetcher.OAuth.Save(e.acct.Name, p.Client(), tok); err != nil {
		t.Fatal(err)
	}
	return e, p
}

// An OAuth account fetches with no password, a day later with a renewed
// token and no prompt; a token the server refuses is renewed and tried
// once more; a revoked sign-in asks for a new one, in words, without a
// loop.
func TestOAuthFetch(t *testing.T) {
	e, p := oauthEnv(t, pop3test.Config{Messages: smallCorpus(3)}, oauth.ProviderCustom)
	now := time.Now()
	e.fetcher.Now = func() time.Time { return now }
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
	if !NeedsSignIn(r.Err) || IsTemporary(r.Err) || p.Count("refresh_token") != 3 || e.server.Count("AUTH") != auths+1 {
		t.Fatalf("revoked: %v (temporary %v), %d refreshes, %d AUTHs", r.Err, IsTemporary(r.Err), p.Count("refresh_token"), e.server.Count("AUTH")-auths)
	}
	e.check()
}

// Microsoft's POP takes XOAUTH2 only, and only in two steps.
func TestOAuthMicrosoftTwoSteps(t *testing.T) {
	e, _ := oauthEnv(t, pop3test.Config{Messages: smallCorpus(2), NoOAuthBearer: true, TwoStepXOAuth2: true}, oauth.ProviderMicrosoft)
	if r := e.fetch(); r.Err != nil || r.New != 2 || e.server.Count("AUTH XOAUTH2") != 1 {
		t.Fatalf("%+v, %d XOAUTH2", r, e.server.Count("AUTH XOAUTH2"))
	}
}

// An account whose sign-in is not on this machine says what to do.
func TestOAuthNotSignedIn(t *testing.T) {
	e := newEnv(t, pop3test.Config{}, true)
	e.acct.OAuth = oauth.ProviderGoogle
	e.fetcher.OAuth = NewOAuthStore(OAuthStoreOptions{ClientsFile: filepath.Join(t.TempDir(), "c.json"), Tokens: &MemorySecrets{}})
	if r := e.fetch(); !NeedsSignIn(r.Err) || e.server.Count("AUTH") != 0 {
		t.Fatalf("%v", r.Err)
	}
}
