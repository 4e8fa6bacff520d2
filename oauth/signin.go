package oauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Errors callers branch on.
var (
	// ErrDeclined: the person declined at the provider's page, or the
	// provider refused the request there.
	ErrDeclined = errors.New("oauth: sign-in declined")
	// ErrNoBrowserAnswer: nothing came back from the browser in time.
	ErrNoBrowserAnswer = errors.New("oauth: the browser never came back")
	// ErrNoRefreshToken: the provider signed in but gave no refresh
	// token, so the sign-in would last an hour.
	ErrNoRefreshToken = errors.New("oauth: the provider gave no refresh token, so the sign-in would not last")
)

// SignInOptions configure SignIn. The zero value is usable: the caller
// then learns the address to open only from Show, which it should set.
type SignInOptions struct {
	// LoginHint is the address to sign in as; the provider's page starts
	// from it.
	LoginHint string
	// Open opens the address in the person's browser. Nil, or an error
	// from it, leaves Show as the way there.
	Open func(url string) error
	// Show tells the person the address, for a browser that did not open
	// (a command line over SSH, a browser on another screen). The
	// listener keeps waiting either way.
	Show func(url string)
	// Timeout bounds the wait for the browser. Zero means five minutes.
	Timeout time.Duration
	// HTTPClient makes the token request; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// SignIn runs the whole sign-in: it listens on the loopback address at a
// port of its own, opens the provider's consent page with PKCE and a
// random state, takes the one redirect that carries both back, shows the
// browser a page that says it may close, and exchanges the code for a
// token with a refresh token. ctx cancels it (a Cancel button).
func SignIn(ctx context.Context, c Client, opts SignInOptions) (*oauth2.Token, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	host := c.RedirectHost
	if host == "" {
		host = "127.0.0.1"
	}
	lns, err := listen(host)
	if err != nil {
		return nil, fmt.Errorf("oauth: listening for the browser: %w", err)
	}
	redirect := "http://" + net.JoinHostPort(host, strconv.Itoa(lns[0].Addr().(*net.TCPAddr).Port)) + "/"
	cfg := c.config(redirect)
	state := randomString()
	verifier := oauth2.GenerateVerifier()
	params := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier)}
	if c.Provider == ProviderGoogle {
		// A refresh token only comes with these; without it the sign-in
		// would last an hour.
		params = append(params, oauth2.AccessTypeOffline, oauth2.SetAuthURLParam("prompt", "consent"))
	}
	if opts.LoginHint != "" {
		params = append(params, oauth2.SetAuthURLParam("login_hint", opts.LoginHint))
	}
	authURL := cfg.AuthCodeURL(state, params...)

	answers := make(chan answer, 1)
	srv := &http.Server{Handler: &redirectHandler{state: state, answers: answers}, ReadHeaderTimeout: 10 * time.Second}
	for _, ln := range lns {
		go srv.Serve(ln)
	}
	defer func() {
		// Shutdown lets a handler under way finish its page; a browser
		// that keeps its connection open is not waited for long.
		sctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
	}()

	if opts.Show != nil {
		opts.Show(authURL)
	}
	if opts.Open != nil {
		opts.Open(authURL) // if it fails, Show has said where to go
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var a answer
	select {
	case a = <-answers:
	case <-ctx.Done():
		return nil, fmt.Errorf("oauth: sign-in: %w", ctx.Err())
	case <-timer.C:
		return nil, fmt.Errorf("%w (waited %v)", ErrNoBrowserAnswer, timeout)
	}
	if a.err != nil {
		return nil, a.err
	}
	if opts.HTTPClient != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, opts.HTTPClient)
	}
	tok, err := cfg.Exchange(ctx, a.code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, tokenError("signing in", err)
	}
	if tok.RefreshToken == "" {
		return nil, ErrNoRefreshToken
	}
	return tok, nil
}

// listen opens the listeners the redirect to host comes back to. For
// 127.0.0.1, one. For "localhost", which a browser may resolve to ::1 as
// well as to 127.0.0.1, both, at one port: a port free on ::1 alone would
// let another user of this machine listen there and be handed the code.
// Where this machine has no IPv6 loopback at all, nobody can listen on
// ::1 and browsers do not go there: 127.0.0.1 alone is enough.
func listen(host string) ([]net.Listener, error) {
	if host != "localhost" {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		return []net.Listener{ln}, nil
	}
	for range 20 {
		v4, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		port := strconv.Itoa(v4.Addr().(*net.TCPAddr).Port)
		v6, err := net.Listen("tcp6", net.JoinHostPort("::1", port))
		if err == nil {
			return []net.Listener{v4, v6}, nil
		}
		// Taken on ::1 (by chance, or by someone waiting for it), or no
		// IPv6 loopback here: a port of the system's choosing on ::1
		// tells the two apart.
		probe, perr := net.Listen("tcp6", "[::1]:0")
		if perr != nil {
			return []net.Listener{v4}, nil
		}
		probe.Close()
		v4.Close()
	}
	return nil, errors.New("no port is free on both 127.0.0.1 and ::1")
}

// answer is what the browser brought back: a code, or why not.
type answer struct {
	code string
	err  error
}

// redirectHandler takes the browser's redirect: the first one with the
// right state ends the wait; any other is told so and changes nothing.
type redirectHandler struct {
	state   string
	answers chan answer
	once    sync.Once
}

func (h *redirectHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	if q.Get("state") != h.state {
		page(w, http.StatusBadRequest, "This is not the sign-in popvault asked for", "popvault did not start this sign-in, or it has ended. Close this tab, and sign in again from popvault.")
		return
	}
	var a answer
	switch {
	case q.Get("error") != "":
		a.err = fmt.Errorf("%w: %s", ErrDeclined, describe(q.Get("error"), q.Get("error_description")))
		page(w, http.StatusOK, "Not signed in", "The provider said: "+describe(q.Get("error"), q.Get("error_description"))+". You can close this tab.")
	case q.Get("code") == "":
		page(w, http.StatusBadRequest, "Not signed in", "The provider's answer held no authorization code. You can close this tab and try again.")
		return
	default:
		a.code = q.Get("code")
		page(w, http.StatusOK, "Signed in", "popvault is signed in. You can close this tab.")
	}
	// The page goes out before the answer: once SignIn has it, the
	// command that asked may save the account and exit, which would cut
	// off a page still in the server's buffer (the browser sees the
	// connection end, not "Signed in").
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	h.once.Do(func() { h.answers <- a })
}

// page writes a plain page that loads nothing from anywhere.
func page(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html><html><head><meta charset=\"utf-8\"><title>%s</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>%s</h1><p>%s</p></body></html>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(text))
}

// describe words an OAuth error code, with the provider's description.
func describe(code, description string) string {
	words := map[string]string{
		"access_denied":             "access was denied (the request was declined)",
		"invalid_grant":             "the sign-in is no longer valid (revoked, expired, or the password changed)",
		"invalid_client":            "the provider does not know this client ID, or its secret is wrong",
		"unauthorized_client":       "this client may not sign in this way",
		"invalid_scope":             "the provider does not allow the mail scope for this client",
		"invalid_request":           "the request was malformed",
		"temporarily_unavailable":   "the provider is busy; try again later",
		"server_error":              "the provider had an error; try again later",
		"interaction_required":      "the provider wants you to sign in again in the browser",
		"consent_required":          "the provider wants your consent again",
		"unsupported_response_type": "the provider does not support this kind of sign-in",
	}
	s, ok := words[code]
	if !ok {
		s = code
	}
	if description != "" {
		s += " (" + description + ")"
	}
	return s
}

func randomString() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
