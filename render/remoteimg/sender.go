package remoteimg

import (
	"net/mail"
	"strings"
)

// Sender is the key under which the window keeps a person's "always
// load pictures from this sender": the address of a From header, in
// lower case. ok is false where the header names no single address.
//
// The From header is the sender's own claim: a message that forges a
// listed address gets its pictures loaded, which tells the forger that
// it was opened, and nothing more.
func Sender(from string) (key string, ok bool) {
	from = strings.TrimSpace(from)
	if a, err := mail.ParseAddress(from); err == nil {
		return strings.ToLower(a.Address), true
	}
	// A decoded display name may hold what the parser refuses
	// ("Doe, John <j@x.example>"): the address in its angle brackets.
	if i := strings.LastIndexByte(from, '<'); i >= 0 && strings.HasSuffix(from, ">") {
		if a, err := mail.ParseAddress(from[i:]); err == nil {
			return strings.ToLower(a.Address), true
		}
	}
	return "", false
}

// Automatic reports whether a message from the sender named by from
// loads its pictures without being asked: only where its sender's key is
// on always, the list of senders the person chose to always load
// pictures from. Off by default: an empty list loads nothing.
func Automatic(from string, always []string) bool {
	key, ok := Sender(from)
	if !ok {
		return false
	}
	for _, a := range always {
		if strings.EqualFold(strings.TrimSpace(a), key) {
			return true
		}
	}
	return false
}
