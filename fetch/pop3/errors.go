package pop3

import (
	"errors"
	"strings"
)

// Errors callers branch on. A server's -ERR reply is an [*Error]; the
// response-code sentinels below match it with errors.Is.
var (
	// ErrInsecureAuth: a credential would have crossed a connection that is
	// not TLS, and [Options.AllowInsecureAuth] was not set. Nothing was sent.
	ErrInsecureAuth = errors.New("pop3: refusing to send credentials without TLS")
	// ErrSTLSUnavailable: the server does not announce STLS. Nothing was sent.
	ErrSTLSUnavailable = errors.New("pop3: server does not offer STLS")
	// ErrSTLSFailed: STLS was refused or answered oddly; the session must be
	// abandoned, never continued in plaintext.
	ErrSTLSFailed = errors.New("pop3: STLS failed")
	// ErrInjection: the server sent bytes after its +OK to STLS and before
	// the TLS handshake, the response-injection attack of CVE-2020-14954.
	ErrInjection = errors.New("pop3: data injected before TLS handshake")
	// ErrLineTooLong: a status or listing line exceeded [Options.MaxLineLength].
	ErrLineTooLong = errors.New("pop3: line too long")
	// ErrTooManyLines: a listing exceeded [Options.MaxListEntries].
	ErrTooManyLines = errors.New("pop3: listing too long")
	// ErrProtocol: the server's reply does not follow POP3.
	ErrProtocol = errors.New("pop3: protocol error")
	// ErrInvalidArgument: an argument holds CR, LF or NUL, or is empty.
	ErrInvalidArgument = errors.New("pop3: invalid argument")
	// ErrTimeout: the server sent nothing for [Options.Timeout].
	ErrTimeout = errors.New("pop3: the server stopped answering")
	// ErrTooSlow: a reply came slower than [Options.MinRate].
	ErrTooSlow = errors.New("pop3: the server sends too slowly")
	// ErrAbort, returned (or wrapped) by a [Client.Retr] or
	// [Client.RetrMany] callback, closes the session at once instead of
	// reading the rest of the reply: for a message too large to want,
	// or a session that will be abandoned anyway.
	ErrAbort = errors.New("pop3: session abandoned")
	// ErrClosed: the session was closed or broken by an earlier error.
	ErrClosed = errors.New("pop3: session closed")
	// ErrInitialResponseRefused: the server refused an XOAUTH2 or
	// OAUTHBEARER response sent on the AUTH line and closed the connection,
	// as Office 365's POP does. Connect again and use [Client.AuthTwoStep].
	ErrInitialResponseRefused = errors.New("pop3: the server refused the sign-in sent in one step and closed the connection")
	// ErrNoAPOP: the greeting carries no APOP timestamp.
	ErrNoAPOP = errors.New("pop3: server does not offer APOP")
)

// Response codes (RFC 2449 and RFC 3206) as sentinels for errors.Is.
var (
	ErrInUse      = &Error{Code: "IN-USE"}      // the maildrop is locked by another session
	ErrLoginDelay = &Error{Code: "LOGIN-DELAY"} // logged in too recently
	ErrSysTemp    = &Error{Code: "SYS/TEMP"}    // a passing server problem
	ErrSysPerm    = &Error{Code: "SYS/PERM"}    // a lasting server problem
	ErrAuth       = &Error{Code: "AUTH"}        // the credentials were wrong
)

// Error is a server's -ERR reply.
type Error struct {
	Command string // the command it answered, without arguments
	Code    string // the response code without brackets, e.g. "IN-USE"; may be empty
	Text    string // the server's text, control characters removed
}

var _ error = (*Error)(nil)

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("pop3: ")
	if e.Command != "" {
		b.WriteString(e.Command)
		b.WriteString(": ")
	}
	b.WriteString("server said ")
	if e.Code != "" {
		b.WriteString("[" + e.Code + "] ")
	}
	if e.Text == "" {
		b.WriteString("-ERR")
	} else {
		b.WriteString(e.Text)
	}
	return b.String()
}

// Is matches a response-code sentinel such as [ErrInUse]. Codes are
// hierarchical: ErrSysTemp matches "SYS/TEMP/DISK".
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t.Command != "" || t.Text != "" || t.Code == "" {
		return false
	}
	code, want := strings.ToUpper(e.Code), strings.ToUpper(t.Code)
	return code == want || strings.HasPrefix(code, want+"/")
}

// Temporary reports whether the server asked to be tried later: IN-USE,
// LOGIN-DELAY or SYS/TEMP.
func (e *Error) Temporary() bool {
	return e.Is(ErrInUse) || e.Is(ErrLoginDelay) || e.Is(ErrSysTemp)
}

// parseError builds an Error from the text after "-ERR".
func parseError(cmd, text string) *Error {
	code, rest := splitCode(text)
	return &Error{Command: cmd, Code: code, Text: Sanitize(rest)}
}

// splitCode separates an RFC 2449 "[CODE]" prefix from the text.
func splitCode(text string) (code, rest string) {
	if !strings.HasPrefix(text, "[") {
		return "", text
	}
	end := strings.IndexByte(text, ']')
	if end < 0 || end > 64 {
		return "", text
	}
	code = text[1:end]
	for _, r := range code {
		if !(r == '/' || r == '-' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return "", text
		}
	}
	return code, strings.TrimLeft(text[end+1:], " ")
}

// Sanitize makes server text safe to show: control characters (including
// terminal escapes) are dropped, invalid UTF-8 becomes U+FFFD, and the result
// is at most 512 characters.
func Sanitize(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			continue
		}
		if n == 512 {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}
