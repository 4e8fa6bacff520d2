package oauth

import (
	"errors"
	"fmt"
)

// ErrNoClient: a Choice names no app, none is kept for the account, and
// the build carries none for the provider. Its caller says what to give,
// in its own words (a flag, a field).
var ErrNoClient = errors.New("oauth: no app to sign in with")

// ErrUnknownProvider: a Choice names a provider that is not google,
// microsoft or custom.
var ErrUnknownProvider = errors.New("oauth: the provider is not google, microsoft or custom")

// Choice is the app a person chose to sign in with, as the account
// dialog and the command line both take it: a provider, and what they
// gave of its client. [Choice.Client] resolves it, the one place that
// does.
type Choice struct {
	Provider string // ProviderGoogle, ProviderMicrosoft or ProviderCustom
	// GoogleFile is a Google client file (client_secret_….json) already
	// read, for ProviderGoogle.
	GoogleFile []byte
	// ClientID and ClientSecret are what was typed: for Google, a client
	// of one's own; for Microsoft, the application (client) ID (its
	// secret is not used: a desktop app has none); for a custom provider,
	// its client.
	ClientID, ClientSecret string
	// AuthURL, TokenURL and Scopes are a custom provider's.
	AuthURL, TokenURL string
	Scopes            []string
	// Kept, when set, returns the client the account signed in with
	// before, or nil: asked only when nothing else is given, and used if
	// it is the same provider's (any provider's, when none is chosen).
	Kept func() *Client
}

// Client returns the app chosen: the one the choice gives (a Google
// file, a client ID, a custom provider's endpoints), else the one kept
// for the account, else the one the build carries; an error wrapping
// [ErrNoClient] when there is none. A custom client is validated.
func (c Choice) Client() (Client, error) {
	switch c.Provider {
	case ProviderGoogle:
		switch {
		case c.GoogleFile != nil:
			return FromGoogleFile(c.GoogleFile)
		case c.ClientID != "":
			return Google(c.ClientID, c.ClientSecret), nil
		}
	case ProviderMicrosoft:
		if c.ClientID != "" {
			return Microsoft(c.ClientID), nil
		}
	case ProviderCustom:
		if c.ClientID != "" || c.AuthURL != "" || c.TokenURL != "" || len(c.Scopes) > 0 {
			cl := Client{Provider: ProviderCustom, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
				AuthURL: c.AuthURL, TokenURL: c.TokenURL, Scopes: c.Scopes}
			return cl, cl.Validate()
		}
	case "":
		if kept := c.kept(); kept != nil {
			return *kept, nil
		}
		return Client{}, ErrNoClient
	default:
		return Client{}, fmt.Errorf("%w: %q", ErrUnknownProvider, c.Provider)
	}
	if kept := c.kept(); kept != nil && kept.Provider == c.Provider {
		return *kept, nil
	}
	if built, ok := BuiltIn(c.Provider); ok {
		return built, nil
	}
	return Client{}, fmt.Errorf("%w for %s", ErrNoClient, c.Provider)
}

func (c Choice) kept() *Client {
	if c.Kept == nil {
		return nil
	}
	return c.Kept()
}
