package oauth_test

import (
	"errors"
	"reflect"
	"testing"

	"popvault/oauth"
)

// The one place the app a person chose is resolved: what the choice
// gives, else the client kept for the account (asked only then), else
// the build's own, else ErrNoClient for the caller to word.
func TestChoiceClient(t *testing.T) {
	file := []byte(`{"installed":{"client_id":"123-abc.apps.googleusercontent.com","project_id":"p","auth_uri":"https://accounts.google.com/o/oauth2/auth","token_uri":"https://oauth2.googleapis.com/token","client_secret":"GOCSPX-x","redirect_uris":["http://localhost"]}}`)
	fromFile, err := oauth.FromGoogleFile(file)
	if err != nil {
		t.Fatal(err)
	}
	keptGoogle := oauth.Google("kept.apps.googleusercontent.com", "GOCSPX-kept")
	keptCustom := oauth.Client{Provider: oauth.ProviderCustom, ClientID: "kept", AuthURL: "https://id.example.org/auth", TokenURL: "https://id.example.org/token", Scopes: []string{"mail"}}
	custom := oauth.Client{Provider: oauth.ProviderCustom, ClientID: "mine", ClientSecret: "s", AuthURL: "https://id.example.org/a", TokenURL: "https://id.example.org/t", Scopes: []string{"mail", "offline"}}
	tests := map[string]struct {
		choice  oauth.Choice
		kept    *oauth.Client
		builtIn string // a Google client ID this build carries
		want    oauth.Client
		wantErr error // matched with errors.Is; nil: no error
		anyErr  bool  // some error, of no sentinel
		askKept bool  // the kept client is asked for
	}{
		"a Google file":                          {choice: oauth.Choice{Provider: oauth.ProviderGoogle, GoogleFile: file}, kept: &keptGoogle, want: fromFile},
		"a damaged Google file":                  {choice: oauth.Choice{Provider: oauth.ProviderGoogle, GoogleFile: []byte("{")}, anyErr: true},
		"a Google client ID":                     {choice: oauth.Choice{Provider: oauth.ProviderGoogle, ClientID: "id", ClientSecret: "sec"}, want: oauth.Google("id", "sec")},
		"Google, the kept client":                {choice: oauth.Choice{Provider: oauth.ProviderGoogle}, kept: &keptGoogle, want: keptGoogle, askKept: true},
		"Google, another provider's kept client": {choice: oauth.Choice{Provider: oauth.ProviderGoogle}, kept: &keptCustom, wantErr: oauth.ErrNoClient, askKept: true},
		"Google, the build's own":                {choice: oauth.Choice{Provider: oauth.ProviderGoogle}, builtIn: "built", want: oauth.Google("built", ""), askKept: true},
		"Google, nothing":                        {choice: oauth.Choice{Provider: oauth.ProviderGoogle}, wantErr: oauth.ErrNoClient, askKept: true},
		"a Microsoft client ID":                  {choice: oauth.Choice{Provider: oauth.ProviderMicrosoft, ClientID: "app"}, want: oauth.Microsoft("app")},
		"Microsoft, nothing":                     {choice: oauth.Choice{Provider: oauth.ProviderMicrosoft}, wantErr: oauth.ErrNoClient, askKept: true},
		"a custom provider":                      {choice: oauth.Choice{Provider: oauth.ProviderCustom, ClientID: "mine", ClientSecret: "s", AuthURL: custom.AuthURL, TokenURL: custom.TokenURL, Scopes: custom.Scopes}, kept: &keptCustom, want: custom},
		"a custom provider, half typed":          {choice: oauth.Choice{Provider: oauth.ProviderCustom, ClientID: "mine"}, kept: &keptCustom, anyErr: true},
		"a custom provider, the kept client":     {choice: oauth.Choice{Provider: oauth.ProviderCustom}, kept: &keptCustom, want: keptCustom, askKept: true},
		"a custom provider, nothing":             {choice: oauth.Choice{Provider: oauth.ProviderCustom}, wantErr: oauth.ErrNoClient, askKept: true},
		"no provider, the kept client":           {choice: oauth.Choice{}, kept: &keptCustom, want: keptCustom, askKept: true},
		"no provider, nothing":                   {choice: oauth.Choice{}, wantErr: oauth.ErrNoClient, askKept: true},
		"an unknown provider":                    {choice: oauth.Choice{Provider: "yahoo"}, kept: &keptGoogle, wantErr: oauth.ErrUnknownProvider},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			defer func(g, m string) { oauth.GoogleClientID, oauth.MicrosoftClientID = g, m }(oauth.GoogleClientID, oauth.MicrosoftClientID)
			oauth.GoogleClientID, oauth.MicrosoftClientID = tt.builtIn, ""
			asked := false
			tt.choice.Kept = func() *oauth.Client { asked = true; return tt.kept }
			got, err := tt.choice.Client()
			switch {
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			case tt.anyErr && err == nil:
				t.Fatalf("no error: %+v", got)
			case tt.wantErr == nil && !tt.anyErr && (err != nil || !reflect.DeepEqual(got, tt.want)):
				t.Fatalf("%+v, %v; want %+v", got, err, tt.want)
			case asked != tt.askKept:
				t.Fatalf("the kept client asked for: %v, want %v", asked, tt.askKept)
			}
		})
	}
}
