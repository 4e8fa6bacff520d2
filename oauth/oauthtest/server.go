// Package oauthtest runs an OAuth 2.0 authorization server in memory for
// tests, in the manner of net/http/httptest: the authorization endpoint
// (which approves at once, as a person would in the browser), the token
// endpoint (authorization code with PKCE, refresh), and token
// introspection (RFC 7662, for Dovecot's oauth2 passdb). It checks what a
// real provider checks (the client, the redirect, the PKCE verifier, the
// state being passed back) and issues short-lived access tokens and
// refresh tokens it can revoke, on a clock a test may move.
package oauthtest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"popvault/oauth"
)

// Server is a running authorization server.
type Server struct {
	*httptest.Server
	ClientID, ClientSecret string
	User                   string        // whom every sign-in is for; default "alice"
	AccessTTL              time.Duration // default an hour

	mu      sync.Mutex
	now     time.Time
	deny    bool
	rotate  bool
	large   bool
	codes   map[string]grant
	issued  []string
	access  map[string]time.Time // access token → expiry
	refresh map[string]bool      // refresh token → valid
	counts  map[string]int
}

type grant struct {
	clientID, redirect, challenge string
}

// NewServer starts a server that knows one client.
func NewServer(clientID, clientSecret string) *Server {
	s := &Server{ClientID: clientID, ClientSecret: clientSecret, User: "alice", AccessTTL: time.Hour,
		now: time.Now(), codes: map[string]grant{}, access: map[string]time.Time{}, refresh: map[string]bool{}, counts: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/authorize", s.authorize)
	mux.HandleFunc("/token", s.token)
	mux.HandleFunc("/introspect", s.introspect)
	s.Server = httptest.NewServer(mux)
	return s
}

// Client is an oauth.Client for this server, as a user would type it for
// a provider popvault does not know.
func (s *Server) Client() oauth.Client {
	return oauth.Client{Provider: oauth.ProviderCustom, ClientID: s.ClientID, ClientSecret: s.ClientSecret,
		AuthURL: s.URL + "/authorize", TokenURL: s.URL + "/token", Scopes: []string{"mail"}}
}

// Advance moves the server's clock: access tokens issued before expire.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = s.now.Add(d)
}

// Deny makes the authorization endpoint decline, as a person who presses
// Cancel on the consent page.
func (s *Server) Deny(deny bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = deny
}

// Rotate makes each refresh issue a new refresh token and retire the old
// one, as Microsoft does.
func (s *Server) Rotate(rotate bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotate = rotate
}

// Large makes tokens the size Microsoft's are: an access token of about
// 3 KB, a refresh token of about 1.5 KB and an ID token of 1 KB, some
// 5.5 KB in all in each answer of the token endpoint.
func (s *Server) Large(large bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.large = large
}

// Impersonate returns an HTTP client that takes requests for the given
// hosts (a provider's real endpoints: accounts.google.com,
// oauth2.googleapis.com) to this server instead, at /authorize or /token
// by the last part of their path, and everything else where it is
// addressed; and a browser (see Browser) that does the same. A test can
// then sign in as a provider whose endpoints popvault never lets a client
// change.
func (s *Server) Impersonate(hosts ...string) (*http.Client, func(authURL string) error) {
	target, _ := url.Parse(s.URL)
	client := &http.Client{Transport: &impersonation{hosts: hosts, target: target}}
	browser := func(authURL string) error {
		resp, err := client.Get(authURL)
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	}
	return client, browser
}

type impersonation struct {
	hosts  []string
	target *url.URL
}

func (t *impersonation) RoundTrip(r *http.Request) (*http.Response, error) {
	for _, h := range t.hosts {
		if strings.EqualFold(r.URL.Hostname(), h) {
			r = r.Clone(r.Context())
			path := "/token"
			if strings.HasSuffix(r.URL.Path, "auth") || strings.HasSuffix(r.URL.Path, "authorize") {
				path = "/authorize"
			}
			r.URL.Scheme, r.URL.Host, r.URL.Path, r.Host = t.target.Scheme, t.target.Host, path, ""
			break
		}
	}
	return http.DefaultTransport.RoundTrip(r)
}

// Revoke withdraws every refresh and access token, as a person who
// removes the app's access in their account settings.
func (s *Server) Revoke() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = map[string]time.Time{}
	for t := range s.refresh {
		s.refresh[t] = false
	}
}

// Expire makes every access token issued so far invalid now, while the
// refresh tokens stay good: a server that refuses a token its holder
// still thinks fresh.
func (s *Server) Expire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.access = map[string]time.Time{}
}

// Issued returns every token the server has issued, access and refresh,
// valid or not: for tests that look for them where they must not be.
func (s *Server) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// Valid reports whether token is an access token the server issued, not
// expired by its clock nor revoked.
func (s *Server) Valid(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.access[token]
	return ok && s.now.Before(exp)
}

// Count returns how many requests a grant type or endpoint had:
// "authorization_code", "refresh_token", "authorize", "introspect".
func (s *Server) Count(what string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[what]
}

// Browser plays the person's browser: it opens the authorization
// address, approves, and follows the redirect back to the loopback
// listener, as a browser would.
func (s *Server) Browser(authURL string) error {
	resp, err := http.Get(authURL)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	s.counts["authorize"]++
	deny := s.deny
	s.mu.Unlock()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("client_id") != s.ClientID:
		http.Error(w, "unknown client", http.StatusBadRequest)
		return
	case err != nil || redirect.Scheme != "http" || !loopback(redirect.Hostname()) || redirect.Port() == "":
		http.Error(w, "the redirect is not a loopback address with a port (RFC 8252)", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code":
		http.Error(w, "response_type must be code", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	switch {
	case deny:
		back.Set("error", "access_denied")
		back.Set("error_description", "The user declined")
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		back.Set("error", "invalid_request")
		back.Set("error_description", "PKCE with S256 is required")
	default:
		code := random()
		s.mu.Lock()
		s.codes[code] = grant{clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"), challenge: q.Get("code_challenge")}
		s.mu.Unlock()
		back.Set("code", code)
	}
	redirect.RawQuery = back.Encode()
	// The redirect goes to whatever the loopback name resolves to, as in a
	// browser; tests listen on 127.0.0.1.
	http.Redirect(w, r, strings.Replace(redirect.String(), "//localhost:", "//127.0.0.1:", 1), http.StatusFound)
}

func loopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || ip != nil && ip.IsLoopback()
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request", "")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != s.ClientID || secret != s.ClientSecret {
		w.WriteHeader(http.StatusUnauthorized)
		oauthError(w, "invalid_client", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	grantType := r.PostForm.Get("grant_type")
	s.counts[grantType]++
	issueRefresh := ""
	switch grantType {
	case "authorization_code":
		g, ok := s.codes[r.PostForm.Get("code")]
		delete(s.codes, r.PostForm.Get("code")) // a code is good once
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		switch {
		case !ok:
			oauthError(w, "invalid_grant", "unknown or used code")
			return
		case g.redirect != r.PostForm.Get("redirect_uri"):
			oauthError(w, "invalid_grant", "the redirect differs from the authorization request's")
			return
		case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
			oauthError(w, "invalid_grant", "the PKCE verifier does not match the challenge")
			return
		}
		issueRefresh = s.newToken(1500)
	case "refresh_token":
		old := r.PostForm.Get("refresh_token")
		if !s.refresh[old] {
			oauthError(w, "invalid_grant", "Token has been expired or revoked.")
			return
		}
		if s.rotate {
			s.refresh[old] = false
			issueRefresh = s.newToken(1500)
		}
	default:
		oauthError(w, "unsupported_grant_type", "")
		return
	}
	access := s.newToken(3000)
	s.access[access] = s.now.Add(s.AccessTTL)
	s.issued = append(s.issued, access)
	resp := map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": int(s.AccessTTL.Seconds()), "scope": "mail"}
	if s.large {
		resp["id_token"] = s.newToken(1000)
	}
	if issueRefresh != "" {
		s.refresh[issueRefresh] = true
		s.issued = append(s.issued, issueRefresh)
		resp["refresh_token"] = issueRefresh
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

// introspect answers RFC 7662 token introspection, as Dovecot's oauth2
// passdb asks it (introspection_mode = post).
func (s *Server) introspect(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	token := r.PostForm.Get("token")
	s.mu.Lock()
	s.counts["introspect"]++
	s.mu.Unlock()
	resp := map[string]any{"active": s.Valid(token)}
	if resp["active"] == true {
		resp["username"] = s.User
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(resp)
}

func oauthError(w http.ResponseWriter, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	if code != "invalid_client" {
		w.WriteHeader(http.StatusBadRequest)
	}
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

// newToken is a random token, of about size characters when the server
// makes large ones. The caller holds s.mu.
func (s *Server) newToken(size int) string {
	t := random()
	if s.large {
		t += strings.Repeat("x", size-len(t))
	}
	return t
}

func random() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
