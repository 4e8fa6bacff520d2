// Package bearer holds the two SASL mechanisms that carry an OAuth 2.0
// access token, as github.com/emersion/go-sasl clients: Google's and
// Microsoft's XOAUTH2, and OAUTHBEARER (RFC 7628). They do not depend on
// the protocol that carries them: the POP3 client (RFC 5034's AUTH) and
// the IMAP restore (AUTHENTICATE) both use them. It also names how a
// token is asked for ([Freshness], [TokenSource]).
//
// A server that refuses the token sends an error challenge, a base64
// JSON object with a status, which the client answers as the mechanism
// says (XOAUTH2: an empty response; OAUTHBEARER: a single 0x01), and then
// fails the exchange. [Client.Refusal] keeps what that challenge said.
package bearer

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/emersion/go-sasl"
)

// Freshness says which access token a [TokenSource] is asked for.
type Freshness int

const (
	// Current is the token in hand while it lasts a session, or else a
	// new one.
	Current Freshness = iota
	// Renewed is a new token, whatever the one in hand says of itself:
	// the server refused it (revoked and reissued, or its clock runs
	// ahead of ours).
	Renewed
)

// TokenSource gives access tokens for connections to one server.
type TokenSource func(ctx context.Context, want Freshness) (string, error)

// Client is a SASL client that carries a token and remembers whether the
// server sent an error challenge, and its status.
type Client interface {
	sasl.Client
	// Refusal reports whether the server sent an error challenge in the
	// last exchange, and the status it gave ("401", "invalid_token", or
	// empty when it gave none).
	Refusal() (status string, challenged bool)
}

// challengeStatus reads the status of an error challenge.
func challengeStatus(challenge []byte) string {
	var v struct {
		Status string `json:"status"`
	}
	if json.Unmarshal(challenge, &v) != nil {
		return ""
	}
	return v.Status
}

// xoauth2 is Google's and Microsoft's SASL XOAUTH2 mechanism, which
// go-sasl does not carry.
type xoauth2 struct {
	user, token string
	refused     string
	challenge   bool
}

// NewXOAuth2 returns a SASL client for XOAUTH2 with an OAuth 2.0 access
// token: its response is "user=USER\x01auth=Bearer TOKEN\x01\x01".
func NewXOAuth2(user, token string) Client { return &xoauth2{user: user, token: token} }

func (x *xoauth2) Start() (string, []byte, error) {
	if strings.ContainsAny(x.user+x.token, "\x01") {
		return "", nil, errors.New("xoauth2: invalid user or token")
	}
	x.refused, x.challenge = "", false
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers the server's error challenge (a JSON status) with an empty
// response, after which the server fails the exchange.
func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	x.refused, x.challenge = challengeStatus(challenge), true
	return []byte{}, nil
}

func (x *xoauth2) Refusal() (string, bool) { return x.refused, x.challenge }

// oauthBearer is go-sasl's OAUTHBEARER with the error challenge answered
// as RFC 7628 says (go-sasl returns an error, which would cancel the
// exchange instead) and its status kept.
type oauthBearer struct {
	sasl.Client
	user, token string
	refused     string
	challenge   bool
}

// NewOAuthBearer returns a SASL client for OAUTHBEARER (RFC 7628) with
// an OAuth 2.0 access token, for the server host and port.
func NewOAuthBearer(user, token, host string, port int) Client {
	opts := &sasl.OAuthBearerOptions{Username: user, Token: token, Host: host, Port: port}
	return &oauthBearer{Client: sasl.NewOAuthBearerClient(opts), user: user, token: token}
}

// Start refuses what would break the message's framing: 0x01 separates
// its fields, and a comma ends the user's (RFC 5801 would escape it).
func (o *oauthBearer) Start() (string, []byte, error) {
	if strings.ContainsAny(o.token, "\x01") || strings.ContainsAny(o.user, "\x01,=") {
		return "", nil, errors.New("oauthbearer: invalid user or token")
	}
	o.refused, o.challenge = "", false
	return o.Client.Start()
}

func (o *oauthBearer) Next(challenge []byte) ([]byte, error) {
	var berr *sasl.OAuthBearerError
	if _, err := o.Client.Next(challenge); errors.As(err, &berr) {
		o.refused = berr.Status
	}
	o.challenge = true
	return []byte{0x01}, nil
}

func (o *oauthBearer) Refusal() (string, bool) { return o.refused, o.challenge }
