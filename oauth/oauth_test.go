package oauth_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"popvault/oauth"
	"popvault/oauth/oauthtest"
)

// The whole flow against a local provider: the browser is opened on the
// consent page with PKCE and a state, comes back once to the loopback
// listener, and the code becomes a refresh token; a refresh then gives a
// fresh access token.
func TestSignInAndRefresh(t *testing.T) {
	p := oauthtest.NewServer("popvault-test", "not-a-secret")
	defer p.Close()
	var shown string
	tok, err := oauth.SignIn(context.Background(), p.Client(), oauth.SignInOptions{
		LoginHint: "alice@example.org",
		Show:      func(u string) { shown = u },
		Open:      p.Browser,
	})
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || !p.Valid(tok.AccessToken) {
		t.Fatalf("token %+v", tok)
	}
	u, _ := url.Parse(shown)
	q := u.Query()
	redirect, _ := url.Parse(q.Get("redirect_uri"))
	if q.Get("code_challenge_method") != "S256" || len(q.Get("state")) < 32 || q.Get("login_hint") != "alice@example.org" ||
		redirect.Hostname() != "127.0.0.1" || redirect.Port() == "" {
		t.Fatalf("the consent page's address: %s", shown)
	}
	p.Advance(2 * time.Hour)
	if p.Valid(tok.AccessToken) {
		t.Fatal("an access token outlived its hour")
	}
	fresh, err := oauth.Refresh(context.Background(), p.Client(), tok.RefreshToken, nil)
	if err != nil || !p.Valid(fresh.AccessToken) || fresh.RefreshToken != tok.RefreshToken {
		t.Fatalf("refresh: %+v, %v", fresh, err)
	}
	p.Rotate(true)
	rotated, err := oauth.Refresh(context.Background(), p.Client(), tok.RefreshToken, nil)
	if err != nil || rotated.RefreshToken == tok.RefreshToken || rotated.RefreshToken == "" {
		t.Fatalf("a rotated refresh: %+v, %v", rotated, err)
	}
	p.Revoke()
	_, err = oauth.Refresh(context.Background(), p.Client(), rotated.RefreshToken, nil)
	if !errors.Is(err, oauth.ErrSignInAgain) || strings.Contains(err.Error(), rotated.RefreshToken) {
		t.Fatalf("a revoked refresh token: %v", err)
	}
}

// What comes back to the listener with another state is not taken; a
// decline is said in words; the wait ends on cancel and on time.
func TestSignInRefusals(t *testing.T) {
	p := oauthtest.NewServer("popvault-test", "not-a-secret")
	defer p.Close()
	ctx := context.Background()

	// A forged redirect (another state) first: answered, not taken.
	var forged int
	tok, err := oauth.SignIn(ctx, p.Client(), oauth.SignInOptions{Open: func(authURL string) error {
		u, _ := url.Parse(authURL)
		back, _ := url.Parse(u.Query().Get("redirect_uri"))
		resp, err := http.Get(back.String() + "?code=stolen&state=guess")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusBadRequest && strings.Contains(string(b), "not the sign-in") {
				forged++
			}
		}
		return p.Browser(authURL)
	}})
	if err != nil || forged != 1 || tok.RefreshToken == "" {
		t.Fatalf("after a forged redirect: %v, forged answered %d", err, forged)
	}

	p.Deny(true)
	_, err = oauth.SignIn(ctx, p.Client(), oauth.SignInOptions{Open: p.Browser})
	if !errors.Is(err, oauth.ErrDeclined) || !strings.Contains(err.Error(), "declined") {
		t.Fatalf("declined: %v", err)
	}
	p.Deny(false)

	_, err = oauth.SignIn(ctx, p.Client(), oauth.SignInOptions{Timeout: 100 * time.Millisecond})
	if !errors.Is(err, oauth.ErrNoBrowserAnswer) {
		t.Fatalf("no browser: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	time.AfterFunc(50*time.Millisecond, cancel)
	if _, err := oauth.SignIn(cctx, p.Client(), oauth.SignInOptions{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// The provider checks the PKCE verifier: a code is worth nothing to
// whoever intercepts it without the verifier only popvault holds.
func TestProviderChecksPKCE(t *testing.T) {
	p := oauthtest.NewServer("popvault-test", "not-a-secret")
	defer p.Close()
	c := p.Client()
	cfg := &oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, Endpoint: oauth2.Endpoint{AuthURL: c.AuthURL, TokenURL: c.TokenURL},
		RedirectURL: "http://127.0.0.1:9/", Scopes: c.Scopes}
	verifier := oauth2.GenerateVerifier()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	code := loc.Query().Get("code")
	if _, err := cfg.Exchange(context.Background(), code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Fatal("a wrong verifier was accepted")
	}
}

func TestClientValidate(t *testing.T) {
	good := oauth.Client{Provider: oauth.ProviderCustom, ClientID: "123", AuthURL: "https://auth.example.org/authorize",
		TokenURL: "https://auth.example.org/token", Scopes: []string{"mail"}}
	tests := map[string]struct {
		change func(c *oauth.Client)
		ok     bool
	}{
		"custom":                     {func(*oauth.Client) {}, true},
		"Google":                     {func(c *oauth.Client) { *c = oauth.Google("123.apps.googleusercontent.com", "x") }, true},
		"Google, another token URL":  {func(c *oauth.Client) { *c = oauth.Google("1", "x"); c.TokenURL = "http://evil.example/" }, true}, // never used: see TestGoogleEndpointsFixed
		"a plain-HTTP token URL":     {func(c *oauth.Client) { c.TokenURL = "http://auth.example.org/token" }, false},
		"plain HTTP on loopback":     {func(c *oauth.Client) { c.TokenURL = "http://127.0.0.1:8080/token" }, true},
		"no client ID":               {func(c *oauth.Client) { c.ClientID = "" }, false},
		"no scope":                   {func(c *oauth.Client) { c.Scopes = nil }, false},
		"a redirect that is no loop": {func(c *oauth.Client) { c.RedirectHost = "example.org" }, false},
	}
	for name, tt := range tests {
		c := good
		tt.change(&c)
		if err := c.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestFromGoogleFile(t *testing.T) {
	c, err := oauth.FromGoogleFile([]byte(`{"installed":{"client_id":"123-abc.apps.googleusercontent.com","project_id":"p","auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token","client_secret":"GOCSPX-x","redirect_uris":["http://localhost"]}}`))
	if err != nil || c.ClientID != "123-abc.apps.googleusercontent.com" || c.ClientSecret != "GOCSPX-x" || c.Scopes[0] != "https://mail.google.com/" {
		t.Fatalf("%+v, %v", c, err)
	}
	if _, err := oauth.FromGoogleFile([]byte(`{"web":{"client_id":"x"}}`)); err == nil || !strings.Contains(err.Error(), "Desktop app") {
		t.Fatalf("a web client: %v", err)
	}
	if _, err := oauth.FromGoogleFile([]byte(`not json`)); err == nil {
		t.Fatal("not JSON accepted")
	}
}

// A Google client file that names endpoints other than Google's is
// refused, in words: one passed around with its token_uri changed would
// send the code, the verifier and the refresh token to that host.
func TestGoogleFileEndpoints(t *testing.T) {
	file := func(authURI, tokenURI string) []byte {
		return []byte(`{"installed":{"client_id":"1-a.apps.googleusercontent.com","client_secret":"GOCSPX-x",` +
			`"auth_uri":"` + authURI + `","token_uri":"` + tokenURI + `"}}`)
	}
	tests := map[string]struct {
		authURI, tokenURI string
		ok                bool
	}{
		"Google's, as files have them":  {"https://accounts.google.com/o/oauth2/auth", "https://oauth2.googleapis.com/token", true},
		"Google's older token address":  {"https://accounts.google.com/o/oauth2/auth", "https://accounts.google.com/o/oauth2/token", true},
		"another token endpoint":        {"https://accounts.google.com/o/oauth2/auth", "https://collector.example/token", false},
		"another authorization address": {"https://accounts.google.com.evil.example/auth", "https://oauth2.googleapis.com/token", false},
		"Google's host, without TLS":    {"https://accounts.google.com/o/oauth2/auth", "http://oauth2.googleapis.com/token", false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := oauth.FromGoogleFile(file(tt.authURI, tt.tokenURI))
			if !tt.ok {
				if err == nil || !strings.Contains(err.Error(), "not Google's") {
					t.Fatalf("accepted, or not said why: %+v, %v", c, err)
				}
				return
			}
			google := oauth.Google("", "")
			if err != nil || c.AuthURL != google.AuthURL || c.TokenURL != google.TokenURL {
				t.Fatalf("%+v, %v", c, err)
			}
		})
	}
}

// A Google or Microsoft client signs in and renews at its provider's own
// endpoints, whatever it holds (a client kept by an earlier popvault holds
// what its file said): the local provider it names hears nothing.
func TestProviderEndpointsFixed(t *testing.T) {
	p := oauthtest.NewServer("popvault-test", "not-a-secret")
	defer p.Close()
	for provider, hosts := range map[string][2]string{
		oauth.ProviderGoogle:    {"accounts.google.com", "oauth2.googleapis.com"},
		oauth.ProviderMicrosoft: {"login.microsoftonline.com", "login.microsoftonline.com"},
	} {
		t.Run(provider, func(t *testing.T) {
			c := p.Client()
			c.Provider = provider
			var asked []string
			offline := &http.Client{Transport: roundTripper(func(r *http.Request) (*http.Response, error) {
				asked = append(asked, r.URL.Host)
				return nil, errors.New("offline")
			})}
			if _, err := oauth.Refresh(context.Background(), c, "refresh", offline); err == nil {
				t.Fatal("a refresh with no network succeeded")
			}
			ctx, cancel := context.WithCancel(context.Background())
			var opened string
			oauth.SignIn(ctx, c, oauth.SignInOptions{Open: func(u string) error { opened = u; cancel(); return nil }, HTTPClient: offline})
			consent, _ := url.Parse(opened)
			if len(asked) != 1 || asked[0] != hosts[1] || consent == nil || consent.Host != hosts[0] {
				t.Fatalf("token requests to %q, the consent page at %q", asked, opened)
			}
			if n := p.Count("refresh_token") + p.Count("authorize"); n != 0 {
				t.Fatalf("the address the client held had %d requests", n)
			}
		})
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Microsoft's redirect is http://localhost:PORT, which a browser may
// resolve to ::1: the listener holds the port on ::1 as well as on
// 127.0.0.1, so no other user of this machine can listen there and be
// handed the code; and it answers there.
func TestLocalhostRedirectHoldsBoth(t *testing.T) {
	p := oauthtest.NewServer("popvault-test", "not-a-secret")
	defer p.Close()
	c := p.Client()
	c.RedirectHost = "localhost"
	var taken error
	var answered int
	tok, err := oauth.SignIn(context.Background(), c, oauth.SignInOptions{Open: func(authURL string) error {
		u, _ := url.Parse(authURL)
		back, _ := url.Parse(u.Query().Get("redirect_uri"))
		if back.Hostname() != "localhost" {
			t.Errorf("the redirect: %s", back)
		}
		ln, err := net.Listen("tcp6", net.JoinHostPort("::1", back.Port()))
		if err == nil {
			ln.Close()
		}
		taken = err
		resp, err := http.Get("http://" + net.JoinHostPort("::1", back.Port()) + "/?code=x&state=guess")
		if err == nil {
			answered = resp.StatusCode
			resp.Body.Close()
		}
		return p.Browser(authURL)
	}})
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("sign-in: %v", err)
	}
	if taken == nil || answered != http.StatusBadRequest {
		t.Fatalf("another program could listen on [::1] at the redirect's port (%v), or popvault does not answer there (%d)", taken, answered)
	}
}
