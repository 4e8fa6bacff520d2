package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"
)

// ErrSignInAgain: the provider no longer honours the refresh token:
// revoked, expired (a Google project in "Testing" ends them after seven
// days), or the password changed. Only signing in again, in a browser,
// helps; nothing unattended should try.
var ErrSignInAgain = errors.New("oauth: sign in again")

// Refresh gets a fresh access token with a refresh token. The returned
// token carries the refresh token to keep: the provider's new one where it
// rotates them, the same one otherwise.
func Refresh(ctx context.Context, c Client, refreshToken string, httpClient *http.Client) (*oauth2.Token, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if httpClient != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, httpClient)
	}
	tok, err := c.config("").TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return nil, tokenError("refreshing the access token", err)
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = refreshToken
	}
	return tok, nil
}

// tokenError words a token endpoint's refusal, and never repeats what
// came back with it (a response body may hold anything).
func tokenError(doing string, err error) error {
	var rerr *oauth2.RetrieveError
	if !errors.As(err, &rerr) {
		return fmt.Errorf("oauth: %s: %w", doing, err)
	}
	if rerr.ErrorCode == "invalid_grant" {
		return fmt.Errorf("%w: %s", ErrSignInAgain, describe(rerr.ErrorCode, rerr.ErrorDescription))
	}
	if rerr.ErrorCode != "" {
		return fmt.Errorf("oauth: %s: %s", doing, describe(rerr.ErrorCode, rerr.ErrorDescription))
	}
	status := "no answer"
	if rerr.Response != nil {
		status = rerr.Response.Status
	}
	return fmt.Errorf("oauth: %s: the token endpoint answered %s", doing, status)
}
