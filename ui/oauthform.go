package ui

import (
	"errors"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/oauth2"

	"popvault/credentials"
	"popvault/oauth"
)

// How an account signs in: a password, or OAuth at a provider.
// Beside "Sign in with": the provider alone, not "Sign in with" twice.
var authLabels = []string{"A password", "Google, in your browser", "Microsoft, in your browser", "Another provider (OAuth), in your browser"}
var authValues = []string{"", oauth.ProviderGoogle, oauth.ProviderMicrosoft, oauth.ProviderCustom}

// oauthForm is the account dialog's part for signing in with OAuth: the
// app to sign in with (Google's client file, Microsoft's client ID, or
// another provider's endpoints), the button that signs in, and its
// outcome.
type oauthForm struct {
	u         *UI
	f         *accountForm
	box       *fyne.Container // the app to sign in with, and how to get one
	signInRow *fyne.Container // in the form, where the password goes
	help      *widget.Label

	importClient                                      *dialogButton
	clientLabel                                       *widget.Label
	custom                                            *fyne.Container
	clientID, clientSecret, authURL, tokenURL, scopes *dialogEntry
	signIn                                            *dialogButton
	status                                            *widget.Label

	imported     *oauth.Client       // from a Google client file
	importedFile []byte              // that file, for oauth.Choice
	kept         *oauth.Client       // the one an account being edited signed in with
	held         *credentials.SignIn // the sign-in just made, held here until Save keeps it
}

func newOAuthForm(u *UI, f *accountForm) *oauthForm {
	o := &oauthForm{u: u, f: f,
		help: widget.NewLabel(""), clientLabel: widget.NewLabel(""), status: widget.NewLabel(""),
		clientID: u.dialogEntry(), clientSecret: u.dialogPassword(),
		authURL: u.dialogEntry(), tokenURL: u.dialogEntry(), scopes: u.dialogEntry(),
	}
	for _, l := range []*widget.Label{o.help, o.clientLabel, o.status} {
		l.Wrapping = fyne.TextWrapWord
	}
	o.help.Importance = widget.LowImportance
	o.clientID.SetPlaceHolder("client ID")
	o.clientSecret.SetPlaceHolder("client secret, if the app has one")
	o.authURL.SetPlaceHolder("https://auth.example.org/authorize")
	o.tokenURL.SetPlaceHolder("https://auth.example.org/token")
	o.scopes.SetPlaceHolder("scopes, separated by spaces")
	o.importClient = u.dialogButton("Import client file…", o.chooseClientFile)
	o.signIn = u.dialogButton("Sign in", o.run)
	o.signIn.Importance = widget.HighImportance
	o.custom = container.New(layout.NewFormLayout(), widget.NewLabel("Authorization"), o.authURL, widget.NewLabel("Token"), o.tokenURL,
		widget.NewLabel("Scopes"), o.scopes, widget.NewLabel("Client secret"), o.clientSecret)
	o.signInRow = container.NewBorder(nil, nil, o.signIn, nil, o.status)
	o.signInRow.Hide()
	o.box = container.NewVBox(container.NewBorder(nil, nil, o.importClient, nil, o.clientLabel), o.clientID, o.custom, o.help)
	o.box.Hide()
	return o
}

// provider is the provider chosen in the dialog, or "" for a password.
func (o *oauthForm) provider() string {
	if i := o.f.auth.SelectedIndex(); i > 0 {
		return authValues[i]
	}
	return ""
}

// changed shows what the chosen way of signing in needs.
func (o *oauthForm) changed() {
	p := o.provider()
	o.f.showWhere()
	if p == "" {
		o.box.Hide()
		o.signInRow.Hide()
		o.f.password.Enable()
		o.f.password.Show()
		o.f.passwordItem.Text = "Password"
		o.f.refreshForm()
		return
	}
	o.f.password.SetText("")
	o.f.password.Disable() // and hidden: the sign-in takes its place
	o.f.password.Hide()
	o.signInRow.Show()
	o.f.passwordItem.Text = "Account"
	o.f.refreshForm()
	o.importClient.Hide()
	o.clientLabel.Hide()
	o.clientID.Hide()
	o.custom.Hide()
	_, builtIn := oauth.BuiltIn(p)
	switch p {
	case oauth.ProviderGoogle:
		o.signIn.SetText("Sign in with Google")
		o.help.SetText("Google lets an app read Gmail over POP only if it is registered with Google. Unless this build of popvault carries one, " +
			"use your own, once: at console.cloud.google.com create a project, enable the Gmail API, set up the OAuth consent screen " +
			"(External; add yourself as a test user; or publish it, since a \"Testing\" app's sign-in lasts seven days), then Credentials, " +
			"Create credentials, OAuth client ID, type Desktop app, and download its JSON. Import that file here.")
		o.importClient.Show()
		o.clientLabel.Show()
		o.showClient(builtIn)
	case oauth.ProviderMicrosoft:
		o.signIn.SetText("Sign in with Microsoft")
		o.help.SetText("Microsoft lets an app read Outlook.com and Microsoft 365 mail over POP only if it is registered. Unless this build of popvault " +
			"carries one, register your own, once: at entra.microsoft.com, App registrations, New registration, accounts in any organizational " +
			"directory and personal Microsoft accounts; Authentication, add a platform, Mobile and desktop applications, redirect URI " +
			"http://localhost; API permissions, add Office 365 Exchange Online (or APIs my organization uses, \"Office 365 Exchange Online\"), " +
			"Delegated, POP.AccessAsUser.All and IMAP.AccessAsUser.All. Copy its Application (client) ID here.")
		o.clientID.Show()
		if builtIn && o.clientID.Text == "" {
			o.clientID.SetPlaceHolder("built into this build; or your own application (client) ID")
		} else {
			o.clientID.SetPlaceHolder("application (client) ID")
		}
	case oauth.ProviderCustom:
		o.signIn.SetText("Sign in")
		o.help.SetText("Your provider's OAuth 2.0 addresses and scopes, and the client ID it gave popvault. The redirect it must allow is http://127.0.0.1 (any port).")
		o.clientID.Show()
		o.custom.Show()
	}
	o.box.Show()
}

// showClient says which Google client the sign-in will use.
func (o *oauthForm) showClient(builtIn bool) {
	switch {
	case o.imported != nil:
		o.clientLabel.SetText("Client: " + o.imported.ClientID)
	case o.kept != nil && o.kept.Provider == oauth.ProviderGoogle:
		o.clientLabel.SetText("Client: " + o.kept.ClientID + " (as signed in before)")
	case builtIn:
		o.clientLabel.SetText("Client: built into this build of popvault")
	default:
		o.clientLabel.SetText("No client file imported yet.")
	}
}

// chooseClientFile imports Google's client_secret_*.json.
func (o *oauthForm) chooseClientFile() {
	o.u.chooseClientFile(o.importFile, o.status)
}

// chooseClientFile asks for Google's client_secret_*.json, reads it off
// the UI goroutine, and hands its contents to use on it; what goes wrong
// is said in status. The account's own sign-in and a delivery target's
// share it.
func (u *UI) chooseClientFile(use func([]byte) error, status *widget.Label) {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		u.background(func() func() {
			b, err := io.ReadAll(io.LimitReader(r, 1<<20))
			r.Close()
			return func() {
				if err == nil {
					err = use(b)
				}
				if err != nil {
					setNote(status, err.Error())
				}
			}
		})
	}, u.win)
}

// importFile reads a Google client file's contents.
func (o *oauthForm) importFile(b []byte) error {
	c, err := oauth.FromGoogleFile(b)
	if err != nil {
		return err
	}
	o.imported, o.importedFile = &c, b
	o.showClient(false)
	o.status.SetText("")
	return nil
}

// oauthClient is the app the chosen provider signs in with.
func (o *oauthForm) oauthClient() (oauth.Client, error) {
	p := o.provider()
	choice := oauth.Choice{Provider: p, ClientID: strings.TrimSpace(o.clientID.Text), Kept: func() *oauth.Client { return o.kept }}
	switch p {
	case oauth.ProviderGoogle:
		// The dialog imports Google's file (importFile) and takes no ID.
		choice.ClientID = ""
		choice.GoogleFile = o.importedFile
	case oauth.ProviderCustom:
		choice.ClientSecret, choice.AuthURL, choice.TokenURL = o.clientSecret.Text, strings.TrimSpace(o.authURL.Text), strings.TrimSpace(o.tokenURL.Text)
		choice.Scopes = strings.Fields(o.scopes.Text)
	}
	c, err := choice.Client()
	switch {
	case !errors.Is(err, oauth.ErrNoClient):
		return c, err
	case p == oauth.ProviderGoogle:
		return c, errors.New("import your Google client file first (below)")
	case p == oauth.ProviderCustom:
		return c, errors.New("type your app's client ID, addresses and scope first (below)")
	}
	return c, errors.New("type your app's application (client) ID first (below)")
}

// run signs in, and holds the sign-in in the dialog: Test connection
// uses it from there, Save keeps it, Cancel drops it. Nothing is stored
// before Save, so an account of the same name (one whose name was typed
// by mistake) keeps its own; and a new account's name must be free
// before a browser opens.
func (o *oauthForm) run() {
	client, err := o.oauthClient()
	if err != nil {
		o.status.SetText(capitalize(err.Error()) + ".")
		return
	}
	name := strings.TrimSpace(o.f.name.Text)
	if name == "" {
		o.status.SetText("Name the account first.")
		return
	}
	if err := o.f.nameInUse(name); err != nil {
		o.status.SetText(capitalize(err.Error()) + ", then sign in.")
		return
	}
	o.status.SetText("Waiting for your browser…")
	o.signIn.Disable()
	hint := strings.TrimSpace(o.f.email.Text)
	o.u.signIn(client, hint, func(tok *oauth2.Token, err error) {
		o.signIn.Enable()
		if err != nil {
			o.status.SetText("Not signed in: " + err.Error())
			return
		}
		o.held = credentials.NewSignIn(client, tok)
		o.status.SetText("Signed in. Test connection, or Save.")
	})
}
