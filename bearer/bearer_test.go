package bearer

import (
	"testing"
)

// What each mechanism sends, what it refuses to send, and what it keeps
// of an error challenge.
func TestMechanisms(t *testing.T) {
	for name, tt := range map[string]struct {
		c         Client
		mech      string
		ir        string
		challenge string
		answer    string
		status    string
	}{
		"XOAUTH2": {NewXOAuth2("ann@example.org", "tok"), "XOAUTH2", "user=ann@example.org\x01auth=Bearer tok\x01\x01",
			`{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}`, "", "401"},
		"OAUTHBEARER": {NewOAuthBearer("ann@example.org", "tok", "mail.example.org", 993), "OAUTHBEARER",
			"n,a=ann@example.org,\x01host=mail.example.org\x01port=993\x01auth=Bearer tok\x01\x01",
			`{"status":"invalid_token"}`, "\x01", "invalid_token"},
	} {
		t.Run(name, func(t *testing.T) {
			mech, ir, err := tt.c.Start()
			if err != nil || mech != tt.mech || string(ir) != tt.ir {
				t.Fatalf("Start: %s %q, %v", mech, ir, err)
			}
			if status, challenged := tt.c.Refusal(); challenged || status != "" {
				t.Fatalf("refused before any challenge: %q", status)
			}
			answer, err := tt.c.Next([]byte(tt.challenge))
			if err != nil || string(answer) != tt.answer {
				t.Fatalf("the answer to an error challenge: %q, %v", answer, err)
			}
			if status, challenged := tt.c.Refusal(); !challenged || status != tt.status {
				t.Fatalf("Refusal: %q, %v", status, challenged)
			}
			// A new exchange starts with nothing refused.
			tt.c.Start()
			if _, challenged := tt.c.Refusal(); challenged {
				t.Fatal("the last exchange's refusal outlived Start")
			}
		})
	}
	for _, c := range []Client{NewXOAuth2("a\x01", "t"), NewXOAuth2("a", "t\x01"), NewOAuthBearer("a,b", "t", "h", 1), NewOAuthBearer("a", "t\x01", "h", 1)} {
		if _, _, err := c.Start(); err == nil {
			t.Errorf("%T sent a user or token that breaks its framing", c)
		}
	}
}
