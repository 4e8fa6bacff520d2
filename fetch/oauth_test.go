package fetch

import (
	"testing"

	"popvault/fetch/pop3test"
	"popvault/oauth"
)

// Microsoft's POP takes XOAUTH2 only, and only in two steps.
func TestOAuthMicrosoftTwoSteps(t *testing.T) {
	e, _ := oauthEnv(t, pop3test.Config{Messages: smallCorpus(2), NoOAuthBearer: true, TwoStepXOAuth2: true}, oauth.ProviderMicrosoft)
	if r := e.fetch(); r.Err != nil || r.New != 2 || e.server.Count("AUTH XOAUTH2") != 1 {
		t.Fatalf("%+v, %d XOAUTH2", r, e.server.Count("AUTH XOAUTH2"))
	}
}
