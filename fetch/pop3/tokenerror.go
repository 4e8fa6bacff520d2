package pop3

import "popvault/bearer"

// TokenError is a server's refusal of an OAuth access token: its -ERR,
// and the status its error challenge gave, if it sent one (see
// [bearer.Client]).
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

// tokenClient is the SASL client's token-carrying side, when it has one.
func tokenClient(c any) (bearer.Client, bool) {
	b, ok := c.(bearer.Client)
	return b, ok
}

// challenged reports whether the server sent b an error challenge.
func challenged(b bearer.Client) bool {
	_, ok := b.Refusal()
	return ok
}
