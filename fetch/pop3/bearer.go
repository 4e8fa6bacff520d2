package pop3

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/emersion/go-sasl"
)

// The two SASL mechanisms that carry an OAuth 2.0 access token: Google's
// and Microsoft's XOAUTH2, and OAUTHBEARER (RFC 7628). A server that
// refuses the token sends an error challenge, a base64 JSON object with
// a status, which the client answers as the mechanism says (XOAUTH2: an
// empty response; OAUTHBEARER: a single 0x01), and then -ERR. The status
// is kept for [TokenError].

// bearer is a SASL client that carries a token, and remembers whether
// the server sent an error challenge, and its status.
type bearer interface {
	status() string
	challenged() bool
}

// TokenError is a server's refusal of an OAuth access token: its -ERR,
// and the status its error challenge gave, if it sent one.
type TokenError struct {
	Err    *Error
	Status string // "401", "invalid_token", ...; empty when no challenge came
}

var _ error = (*TokenError)(nil)

func (e *TokenError) Error() string {
	s := "pop3: AUTH: the server refused the access token"
	switch e.Status {
	case "":
	case "400", "401", "invalid_token":
		s += " (status " + e.Status + ": not valid, or expired)"
	case "403", "insufficient_scope":
		s += " (status " + e.Status + ": the token does not allow mail access)"
	default:
		s += " (status " + Sanitize(e.Status) + ")"
	}
	if e.Err.Text != "" {
		s += ": " + e.Err.Text
	}
	return s
}

func (e *TokenError) Unwrap() error { return e.Err }

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

// NewXOAuth2Client returns a SASL client for XOAUTH2 with an OAuth 2.0
// access token.
func NewXOAuth2Client(user, token string) sasl.Client { return &xoauth2{user: user, token: token} }

func (x *xoauth2) Start() (string, []byte, error) {
	if strings.ContainsAny(x.user+x.token, "\x01") {
		return "", nil, errors.New("xoauth2: invalid user or token")
	}
	x.refused, x.challenge = "", false
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers the server's error challenge (a JSON status) with an empty
// response, after which the server replies -ERR.
func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	x.refused, x.challenge = challengeStatus(challenge), true
	return []byte{}, nil
}

func (x *xoauth2) status() string   { return x.refused }
func (x *xoauth2) challenged() bool { return x.challenge }

// oauthBearer is go-sasl's OAUTHBEARER with the error challenge answered
// as RFC 7628 says (go-sasl returns an error, which would cancel the
// exchange instead) and its status kept.
type oauthBearer struct {
	sasl.Client
	user, token string
	refused     string
	challenge   bool
}

// NewOAuthBearerClient returns a SASL client for OAUTHBEARER (RFC 7628)
// with an OAuth 2.0 access token, for the server host and port.
func NewOAuthBearerClient(user, token, host string, port int) sasl.Client {
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

func (o *oauthBearer) status() string   { return o.refused }
func (o *oauthBearer) challenged() bool { return o.challenge }
