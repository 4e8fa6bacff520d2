// Package oauth signs a person in to their mail provider with OAuth 2.0
// the way RFC 8252 says a desktop program should: the system browser
// shows the provider's consent page, a listener on the loopback address
// takes the one redirect back, and the authorization code is exchanged with PKCE
// (RFC 7636, S256) and a random state. golang.org/x/oauth2 speaks the
// protocol; this package owns only the loopback listener, the hand-off to
// the browser, and what a mail program needs from the result: a refresh
// token to keep and access tokens to sign in with (XOAUTH2, OAUTHBEARER).
//
// It keeps nothing itself: the caller stores the client (an app
// registration, not a secret) and the token (a secret) where it keeps
// such things.
package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/oauth2"
)

// Providers popvault knows.
const (
	ProviderGoogle    = "google"
	ProviderMicrosoft = "microsoft"
	ProviderCustom    = "custom" // any other: endpoints and scopes as typed
)

// Client IDs a build may carry, so that its users sign in with one click
// and register nothing:
//
//	go build -ldflags "-X popvault/oauth.GoogleClientID=ID -X popvault/oauth.GoogleClientSecret=SECRET -X popvault/oauth.MicrosoftClientID=ID"
//
// An installed app's client secret is not a secret (Google's own words),
// but Google verifies apps that ask for the mail scope, so a distributor
// who sets these needs a verified app. Empty, users bring their own.
var (
	GoogleClientID     string
	GoogleClientSecret string
	MicrosoftClientID  string
)

// Client is an app registration at a provider: who asks (the client ID,
// and for Google an installed app's client secret), where (the
// endpoints), for what (the scopes), and where the browser comes back to.
type Client struct {
	Provider     string   `json:"provider"`
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret,omitempty"`
	AuthURL      string   `json:"auth_url"`
	TokenURL     string   `json:"token_url"`
	Scopes       []string `json:"scopes"`
	// RedirectHost is the loopback redirect's host: "127.0.0.1" (RFC
	// 8252's advice, and Google's), or "localhost" for Microsoft, whose
	// app registrations take http://localhost with any port. For
	// "localhost" SignIn listens on 127.0.0.1 and ::1 alike, at one port.
	RedirectHost string `json:"redirect_host,omitempty"`
}

// The endpoints of the providers popvault knows. A Google or Microsoft
// client always uses these, whatever a client file or a stored client
// says: the code, the PKCE verifier and the refresh token cross them.
var (
	googleEndpoint = oauth2.Endpoint{AuthURL: "https://accounts.google.com/o/oauth2/v2/auth",
		TokenURL: "https://oauth2.googleapis.com/token"}
	microsoftEndpoint = oauth2.Endpoint{AuthURL: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
		TokenURL: "https://login.microsoftonline.com/common/oauth2/v2.0/token"}
)

// googleHosts are the hosts Google's own client files name for its
// endpoints, then and now.
var googleHosts = []string{"accounts.google.com", "oauth2.googleapis.com", "www.googleapis.com"}

// MailHosts are the mail servers, POP and IMAP, that a provider
// documents for its accounts: its access tokens are for these and no
// other. None for a custom provider (its account's own server).
func MailHosts(provider string) []string {
	switch provider {
	case ProviderGoogle:
		return []string{"pop.gmail.com", "imap.gmail.com"}
	case ProviderMicrosoft:
		// outlook.office365.com for Outlook.com and Microsoft 365 alike;
		// the other two are Outlook.com's older names, still documented.
		return []string{"outlook.office365.com", "pop-mail.outlook.com", "imap-mail.outlook.com"}
	}
	return nil
}

// Google is Google's endpoints and the full mail scope (POP needs it),
// for the given client.
func Google(clientID, clientSecret string) Client {
	return Client{Provider: ProviderGoogle, ClientID: clientID, ClientSecret: clientSecret,
		AuthURL: googleEndpoint.AuthURL, TokenURL: googleEndpoint.TokenURL,
		Scopes: []string{"https://mail.google.com/"}}
}

// Microsoft is the Microsoft identity platform's endpoints ("common":
// personal and work accounts alike) and the POP and IMAP scopes (IMAP for
// restoring, so one sign-in serves both), for the given application
// (client) ID. Microsoft's desktop apps have no secret.
func Microsoft(clientID string) Client {
	return Client{Provider: ProviderMicrosoft, ClientID: clientID,
		AuthURL: microsoftEndpoint.AuthURL, TokenURL: microsoftEndpoint.TokenURL,
		Scopes: []string{"https://outlook.office.com/POP.AccessAsUser.All",
			"https://outlook.office.com/IMAP.AccessAsUser.All", "offline_access"},
		RedirectHost: "localhost"}
}

// endpoint is where c signs in: Google's or Microsoft's own endpoints
// for their clients, whatever c holds (a client stored by an earlier
// popvault may hold what a client file said), else c's.
func (c Client) endpoint() oauth2.Endpoint {
	switch c.Provider {
	case ProviderGoogle:
		return googleEndpoint
	case ProviderMicrosoft:
		return microsoftEndpoint
	}
	return oauth2.Endpoint{AuthURL: c.AuthURL, TokenURL: c.TokenURL}
}

// BuiltIn returns the client a build carries for provider, if any.
func BuiltIn(provider string) (Client, bool) {
	switch {
	case provider == ProviderGoogle && GoogleClientID != "":
		return Google(GoogleClientID, GoogleClientSecret), true
	case provider == ProviderMicrosoft && MicrosoftClientID != "":
		return Microsoft(MicrosoftClientID), true
	}
	return Client{}, false
}

// Validate checks that c can be used. Its endpoints must be HTTPS: a
// refresh token and a client secret cross them. Plain HTTP is allowed to
// a loopback address only (a provider on this machine, tests).
func (c Client) Validate() error {
	switch {
	case c.ClientID == "":
		return errors.New("oauth: no client ID: import your app's client file or type its client ID")
	case len(c.Scopes) == 0:
		return errors.New("oauth: no scope")
	}
	e := c.endpoint()
	for _, u := range []struct{ name, url string }{{"authorization", e.AuthURL}, {"token", e.TokenURL}} {
		if err := checkEndpoint(u.url); err != nil {
			return fmt.Errorf("oauth: the %s address: %w", u.name, err)
		}
	}
	if c.RedirectHost != "" && c.RedirectHost != "127.0.0.1" && c.RedirectHost != "localhost" {
		return fmt.Errorf("oauth: the redirect host must be 127.0.0.1 or localhost, not %q", c.RedirectHost)
	}
	return nil
}

func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an address", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || host == "localhost" {
			return nil
		}
	}
	return fmt.Errorf("%q is not HTTPS", raw)
}

// config is the x/oauth2 configuration with a redirect to redirect. The
// client authenticates one way, never by trying one and then the other
// (x/oauth2's default), which sends every refused refresh twice: in the
// request's form where there is no secret or where the provider wants it
// (Google, Microsoft), else with HTTP Basic, which RFC 6749 makes every
// provider accept.
func (c Client) config(redirect string) *oauth2.Config {
	style := oauth2.AuthStyleInHeader
	if c.ClientSecret == "" || c.Provider == ProviderGoogle || c.Provider == ProviderMicrosoft {
		style = oauth2.AuthStyleInParams
	}
	e := c.endpoint()
	e.AuthStyle = style
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		Endpoint:     e,
		RedirectURL:  redirect,
		Scopes:       c.Scopes,
	}
}

// FromGoogleFile reads the client_secret_*.json that Google's Cloud
// console gives for an OAuth client of type "Desktop app" (the file's
// "installed" section).
func FromGoogleFile(b []byte) (Client, error) {
	var f struct {
		Installed *struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
			AuthURI      string `json:"auth_uri"`
			TokenURI     string `json:"token_uri"`
		} `json:"installed"`
		Web *json.RawMessage `json:"web"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return Client{}, fmt.Errorf("oauth: not a Google client file: %w", err)
	}
	if f.Installed == nil {
		if f.Web != nil {
			return Client{}, errors.New("oauth: this client file is for a web application; create an OAuth client of type \"Desktop app\" instead")
		}
		return Client{}, errors.New("oauth: not a Google client file (no \"installed\" section)")
	}
	c := Google(f.Installed.ClientID, f.Installed.ClientSecret)
	// The file names endpoints too; a Google client signs in at Google's
	// whatever it says. A file that names another host is not one Google
	// gave: one passed around with its token_uri changed would send the
	// code, the verifier and the refresh token there.
	for _, u := range []string{f.Installed.AuthURI, f.Installed.TokenURI} {
		if u == "" {
			continue
		}
		if p, err := url.Parse(u); err != nil || p.Scheme != "https" || !slices.Contains(googleHosts, strings.ToLower(p.Host)) {
			return Client{}, fmt.Errorf("oauth: this client file sends the sign-in to %q, which is not Google's: download the file again from console.cloud.google.com (Credentials, your Desktop app's client)", u)
		}
	}
	if c.ClientID == "" {
		return Client{}, errors.New("oauth: the client file holds no client ID")
	}
	if !strings.HasSuffix(c.ClientID, ".apps.googleusercontent.com") {
		return Client{}, fmt.Errorf("oauth: %q is not a Google client ID", c.ClientID)
	}
	return c, nil
}
