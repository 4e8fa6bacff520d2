package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/oauth2"

	"popvault/archive"
	"popvault/bearer"
	"popvault/credentials"
	"popvault/deliver"
	"popvault/fetch"
	"popvault/oauth"
	"popvault/restore"
	"popvault/transport"
)

// The target's ways of signing in, before the popvault accounts offered
// ("Sign in as …"): a password, or a browser sign-in made for the target
// alone.
var deliverySignInLabels = []string{"App password", "Google, in your browser", "Microsoft, in your browser"}
var deliverySignInProviders = []string{"", oauth.ProviderGoogle, oauth.ProviderMicrosoft}

// deliveryForm is the account dialog's section "Also put new mail into
// another mailbox": an account's delivery target (docs/delivery.md).
type deliveryForm struct {
	u                              *UI
	on                             *dialogCheck
	preset, security, signIn       *dialogSelect
	host, port, user, mailbox, pwd *dialogEntry
	note                           *widget.Label
	form                           *widget.Form
	pwdItem                        *widget.FormItem
	fields                         *fyne.Container
	box                            *fyne.Container
	signIns                        []fetch.Account // the OAuth accounts offered, after deliverySignInLabels
	existing                       *fetch.Delivery
	account                        *fetch.Account // the account edited; nil for a new one

	// A browser sign-in for the target: the button, Google's client file
	// or Microsoft's client ID where this build carries none, and what
	// became of it.
	browser, importClient *dialogButton
	clientID              *dialogEntry
	signInStatus          *widget.Label
	browserBox            *fyne.Container
	googleFile            []byte
	held                  *credentials.SignIn // the sign-in just made, until Save keeps it

	// backlog asks, for an account with archived mail that starts
	// delivering, whether that mail goes there too.
	backlog  *dialogRadio
	archived int
}

// How a target signs in, as the section has it: what the dialog hands
// to Test connection and Save.
type targetSecret struct {
	typed string              // a password typed
	held  *credentials.SignIn // a browser sign-in just made
}

const onlyNew = "Only mail from now on"

func newDeliveryForm(u *UI, existing *fetch.Account) *deliveryForm {
	f := &deliveryForm{u: u, host: u.dialogEntry(), port: u.dialogEntry(), user: u.dialogEntry(),
		mailbox: u.dialogEntry(), pwd: u.dialogPassword(), note: widget.NewLabel(""),
		clientID: u.dialogEntry(), signInStatus: widget.NewLabel(""), account: existing}
	f.note.Wrapping = fyne.TextWrapWord
	f.note.Importance = widget.LowImportance
	f.signInStatus.Wrapping = fyne.TextWrapWord
	f.signInStatus.Hide()
	f.mailbox.SetText("INBOX")
	f.port.SetText("993")
	names := make([]string, len(imapPresets))
	for i, p := range imapPresets {
		names[i] = p.name
	}
	f.preset = u.dialogSelect(names, func(string) { f.presetChanged() })
	f.security = u.dialogSelect(imapSecurityLabels, func(string) {
		if p := transport.IMAP.DefaultPort(f.selectedSecurity()); p > 0 {
			f.port.SetText(strconv.Itoa(p))
		}
		f.checkSignIn()
	})
	f.security.SetSelectedIndex(0)
	options := append([]string(nil), deliverySignInLabels...)
	for _, a := range u.accounts {
		if a.OAuth != "" {
			f.signIns = append(f.signIns, a)
			options = append(options, "Sign in as "+a.Name)
		}
	}
	f.browser = u.dialogButton("Sign in", f.runSignIn)
	f.browser.Importance = widget.HighImportance
	f.importClient = u.dialogButton("Import client file…", func() {
		u.chooseClientFile(f.importFile, f.signInStatus)
	})
	f.clientID.SetPlaceHolder("application (client) ID")
	f.browserBox = container.NewVBox(container.NewHBox(f.browser, f.importClient), f.clientID, f.signInStatus)
	f.signIn = u.dialogSelect(options, func(string) { f.signInChanged() })
	f.host.OnChanged = func(string) { f.checkSignIn() }
	f.pwdItem = widget.NewFormItem("Password", container.NewVBox(f.pwd, f.browserBox))
	f.form = widget.NewForm(
		widget.NewFormItem("Provider", f.preset),
		widget.NewFormItem("Server", f.host),
		widget.NewFormItem("Port", f.port),
		widget.NewFormItem("Security", f.security),
		widget.NewFormItem("User name", f.user),
		widget.NewFormItem("Mailbox", f.mailbox),
		widget.NewFormItem("Sign in with", f.signIn),
		f.pwdItem,
	)
	f.signIn.SetSelectedIndex(0)
	f.backlog = u.dialogRadio(nil, nil)
	backlogBox := container.NewVBox()
	if existing != nil && existing.Deliver == nil {
		if n := u.counts[existing.Name].Total; n > 0 {
			f.archived = n
			f.backlog.Options = []string{onlyNew, fmt.Sprintf("Also the %d messages already archived, put there in the background", n)}
			f.backlog.SetSelected(onlyNew)
			ask := widget.NewLabel(fmt.Sprintf("%s already has %d messages in the archive. Put into the other mailbox:", existing.Name, n))
			ask.Wrapping = fyne.TextWrapWord
			backlogBox.Add(ask)
			backlogBox.Add(f.backlog)
		}
	}
	if f.archived == 0 {
		f.backlog.Hide()
	}
	f.fields = container.NewVBox(f.form, f.note, backlogBox)
	f.on = u.dialogCheck("Also put new mail into another mailbox", func(on bool) {
		f.fields.Hidden = !on
		f.box.Refresh()
	})
	f.box = container.NewVBox(widget.NewSeparator(), f.on, f.fields)
	f.preset.SetSelectedIndex(0)
	f.fields.Hide()
	if existing != nil && existing.Deliver != nil {
		f.fill(existing.Deliver)
	}
	return f
}

// fill shows an account's target.
func (f *deliveryForm) fill(d *fetch.Delivery) {
	f.existing = d
	for i, p := range imapPresets {
		if p.host == d.Host || i == len(imapPresets)-1 {
			f.preset.SetSelectedIndex(i)
			break
		}
	}
	f.host.SetText(d.Host)
	for i, s := range []transport.Security{transport.SecurityTLS, transport.SecurityStartTLS, transport.SecurityPlain} {
		if s == d.Security || (d.Security == "" && i == 0) {
			f.security.SetSelectedIndex(i)
		}
	}
	if d.Port > 0 {
		f.port.SetText(strconv.Itoa(d.Port))
	}
	f.user.SetText(d.User)
	f.mailbox.SetText(d.Mailbox)
	switch {
	case d.OAuth != "":
		for i, p := range deliverySignInProviders {
			if p == d.OAuth {
				f.signIn.SetSelectedIndex(i)
			}
		}
		setNote(f.signInStatus, "Signed in before; sign in again only to change the account.")
	case d.OAuthAccount != "":
		for i, a := range f.signIns {
			if a.Name == d.OAuthAccount {
				f.signIn.SetSelectedIndex(len(deliverySignInLabels) + i)
			}
		}
	}
	f.on.SetChecked(true)
}

func (f *deliveryForm) presetChanged() {
	i := f.preset.SelectedIndex()
	if i < 0 {
		return
	}
	p := imapPresets[i]
	switch {
	case p.host != "":
		f.host.SetText(p.host)
		f.security.SetSelectedIndex(0)
	case isPresetHost(f.host.Text):
		f.host.SetText("") // another server: not the last preset's
	}
	note := p.note
	switch p.oauth {
	case oauth.ProviderGoogle:
		note = "Gmail takes an app password (myaccount.google.com/apppasswords), or Sign in with Google in your browser. " +
			"Gmail's spam filter and filters do not run on mail put there: it lands in the mailbox named (INBOX, or a label's name), unread."
	case oauth.ProviderMicrosoft:
		note = "Microsoft takes no password: sign in with Microsoft in your browser."
		if f.signIn != nil && f.provider() == "" {
			f.signIn.SetSelectedIndex(2)
		}
	}
	f.note.SetText(note)
}

func (f *deliveryForm) selectedSecurity() transport.Security {
	switch f.security.SelectedIndex() {
	case 1:
		return transport.SecurityStartTLS
	case 2:
		return transport.SecurityPlain
	}
	return transport.SecurityTLS
}

// provider is the browser sign-in chosen for the target, or "".
func (f *deliveryForm) provider() string {
	if i := f.signIn.SelectedIndex(); i >= 0 && i < len(deliverySignInProviders) {
		return deliverySignInProviders[i]
	}
	return ""
}

// signInChanged shows what the chosen way of signing in needs: the
// password, or the browser's button (with Google's client file or
// Microsoft's client ID when this build carries no app), or nothing for
// an account's sign-in.
func (f *deliveryForm) signInChanged() {
	i, p := f.signIn.SelectedIndex(), f.provider()
	if f.held != nil && f.held.Client().Provider != p {
		f.held = nil // another provider's sign-in is no use here
		setNote(f.signInStatus, "")
	}
	switch {
	case i <= 0:
		f.pwd.Enable()
		f.pwd.Show()
		f.browserBox.Hide()
		f.pwdItem.Text = "Password"
	case p != "":
		f.pwd.SetText("")
		f.pwd.Hide()
		f.browserBox.Show()
		f.pwdItem.Text = "Sign in"
		_, builtIn := oauth.BuiltIn(p)
		f.importClient.Hidden = p != oauth.ProviderGoogle || builtIn
		f.clientID.Hidden = p != oauth.ProviderMicrosoft || builtIn
		f.browser.SetText("Sign in with Google")
		if p == oauth.ProviderMicrosoft {
			f.browser.SetText("Sign in with Microsoft")
		}
	default:
		f.pwd.SetText("")
		f.pwd.Disable()
		f.pwd.Show()
		f.browserBox.Hide()
		f.pwdItem.Text = "Password"
	}
	f.form.Refresh()
	f.checkSignIn()
}

// importFile takes a Google client file's contents for the target's
// sign-in.
func (f *deliveryForm) importFile(b []byte) error {
	if _, err := oauth.FromGoogleFile(b); err != nil {
		return err
	}
	f.googleFile = b
	setNote(f.signInStatus, "Client file imported: sign in.")
	return nil
}

// target is who a browser sign-in for the target is, for the one rule
// of where its tokens may go (credentials.OAuthStore.CheckHost).
func (f *deliveryForm) target() fetch.Account {
	return fetch.Account{Name: "the other mailbox", OAuth: f.provider(), Host: strings.TrimSpace(f.host.Text)}
}

// hostRefused says why the target's server may not have the chosen
// browser sign-in's tokens, or is nil.
func (f *deliveryForm) hostRefused() error {
	if f.provider() == "" || strings.TrimSpace(f.host.Text) == "" {
		return nil
	}
	if err := f.u.oauth.CheckHost(f.target(), f.target().Host, f.selectedSecurity()); err != nil {
		return errors.New(capitalize(strings.TrimPrefix(err.Error(), "credentials: ")))
	}
	return nil
}

// checkSignIn says, beside the button, when the server is not the
// provider's: its sign-in never goes there.
func (f *deliveryForm) checkSignIn() {
	if f.signIn == nil || f.form == nil {
		return
	}
	if err := f.hostRefused(); err != nil {
		f.browser.Disable()
		setNote(f.signInStatus, err.Error()+".")
		return
	}
	f.browser.Enable()
	if strings.Contains(f.signInStatus.Text, "never to") || strings.Contains(f.signInStatus.Text, "never sent") {
		setNote(f.signInStatus, "")
	}
}

// runSignIn signs in to the target's provider in the browser, with the
// app this build carries, or the one imported or typed here, or one this
// machine already signed in with for that provider; the sign-in is held
// here until Save keeps it under the account's delivery key.
func (f *deliveryForm) runSignIn() {
	if err := f.hostRefused(); err != nil {
		setNote(f.signInStatus, err.Error()+".")
		return
	}
	p := f.provider()
	choice := oauth.Choice{Provider: p, GoogleFile: f.googleFile}
	if p == oauth.ProviderMicrosoft {
		choice.ClientID = strings.TrimSpace(f.clientID.Text)
	}
	var mine []fetch.Account // whose kept apps may sign in here
	if f.account != nil && f.account.Deliver != nil {
		mine = append(mine, deliver.SignInAccount(*f.account))
	}
	for _, a := range f.u.accounts {
		if a.OAuth == p {
			mine = append(mine, a)
		}
	}
	hint := strings.TrimSpace(f.user.Text)
	f.browser.Disable()
	setNote(f.signInStatus, "Waiting for your browser…")
	f.u.background(func() func() {
		choice.Kept = func() *oauth.Client {
			for _, a := range mine {
				if c, err := f.u.oauth.Client(a); err == nil && c.Provider == p {
					return &c
				}
			}
			return nil
		}
		client, err := choice.Client()
		return func() {
			if err != nil {
				f.browser.Enable()
				switch {
				case !errors.Is(err, oauth.ErrNoClient):
					setNote(f.signInStatus, "Not signed in: "+err.Error())
				case p == oauth.ProviderGoogle:
					setNote(f.signInStatus, "Google lets an app use Gmail only once it is registered, and this build carries none: import your own client file first. "+
						"At console.cloud.google.com create a project, enable the Gmail API, set up the OAuth consent screen, then Credentials, "+
						"Create credentials, OAuth client ID, type Desktop app, and download its JSON (docs/gmail.md). Or choose App password.")
				default:
					setNote(f.signInStatus, "Microsoft lets an app use Outlook only once it is registered, and this build carries none: "+
						"type your own app's application (client) ID first. At entra.microsoft.com, App registrations, New registration; "+
						"redirect URI http://localhost; API permission IMAP.AccessAsUser.All (docs/outlook.md).")
				}
				return
			}
			f.u.signIn(client, hint, func(tok *oauth2.Token, err error) {
				f.browser.Enable()
				if err != nil {
					setNote(f.signInStatus, "Not signed in: "+err.Error())
					return
				}
				f.held = credentials.NewSignIn(client, tok)
				setNote(f.signInStatus, "Signed in. Test connection, or Save.")
			})
		}
	})
}

// settings reads the section: nil when delivery is off, and what the
// target signs in with that is not kept yet (a password typed, a sign-in
// just made; neither when signing in as an account, or to keep what is
// kept).
func (f *deliveryForm) settings() (*fetch.Delivery, targetSecret, error) {
	var sec targetSecret
	if !f.on.Checked {
		return nil, sec, nil
	}
	port, err := strconv.Atoi(strings.TrimSpace(f.port.Text))
	if err != nil || port <= 0 || port > 65535 {
		return nil, sec, errors.New("the other mailbox's port must be a number from 1 to 65535")
	}
	d := &fetch.Delivery{Host: strings.TrimSpace(f.host.Text), Port: port, Security: f.selectedSecurity(),
		User: strings.TrimSpace(f.user.Text), Mailbox: strings.TrimSpace(f.mailbox.Text), OAuth: f.provider()}
	if d.Mailbox == "" {
		d.Mailbox = "INBOX"
	}
	if i := f.signIn.SelectedIndex() - len(deliverySignInLabels); i >= 0 {
		d.OAuthAccount = f.signIns[i].Name
	}
	sameTarget := f.existing != nil && deliver.Target(f.existing).Key() == deliver.Target(d).Key()
	switch {
	case d.Host == "":
		return nil, sec, errors.New("which server should new mail go to? Fill in its Server, or turn off \"Also put new mail into another mailbox\"")
	case d.User == "":
		return nil, sec, errors.New("fill in the user name of the other mailbox")
	case d.OAuth != "":
		if err := f.hostRefused(); err != nil {
			return nil, sec, err
		}
		if f.held == nil && !(sameTarget && f.existing.OAuth == d.OAuth) {
			return nil, sec, fmt.Errorf("sign in to the other mailbox first: press %s", f.browser.Text)
		}
		sec.held = f.held
	case d.OAuthAccount == "" && f.pwd.Text == "" && !(sameTarget && f.existing.OAuth == "" && f.existing.OAuthAccount == ""):
		return nil, sec, errors.New("fill in the other mailbox's password (an app password for Gmail)")
	case d.OAuthAccount == "":
		sec.typed = f.pwd.Text
	}
	if f.existing != nil {
		d.CAFile, d.Create = f.existing.CAFile, f.existing.Create
		if sameTarget {
			d.Since = f.existing.Since // the same target: what waits still waits
		}
	}
	return d, sec, d.Check()
}

// alsoArchived reports whether the person asked that the mail archived
// before delivery was turned on go there too.
func (f *deliveryForm) alsoArchived() bool {
	return f.on.Checked && !f.backlog.Hidden && f.backlog.Selected != "" && f.backlog.Selected != onlyNew
}

// tryDelivery signs in to an account's target and finds its mailbox, for
// Test connection: off the Fyne goroutine.
func (u *UI) tryDelivery(ctx context.Context, a fetch.Account, sec targetSecret) error {
	d := a.Deliver
	var creds restore.Credentials
	var err error
	switch {
	case sec.typed != "":
		creds = restore.Credentials{Password: sec.typed}
	case sec.held != nil:
		// The sign-in just made, for the target's server alone: the
		// store's CheckHost still decides.
		who, trial := deliver.SignInAccount(a), u.creds.Trying("", sec.held)
		creds = restore.Credentials{Token: func(ctx context.Context, want bearer.Freshness) (string, error) {
			return trial.Token(ctx, who, want)
		}}
	default:
		creds, err = deliver.SignInFrom(u.arch, u.creds)(ctx, a)
		if err != nil {
			return err
		}
	}
	_, err = restore.Run(ctx, u.arch, nil, restore.Options{Target: deliver.Target(d), Credentials: creds, Create: d.Create, RootCAs: u.opts.RootCAs, Timeout: 30 * time.Second})
	return err
}

// saveDelivery keeps what the target signs in with, under the account's
// delivery key, and sets when delivery starts, before the account is
// saved; delivery turned off forgets it: off the Fyne goroutine. was is
// the account as it was, nil for a new one.
func (u *UI) saveDelivery(a *fetch.Account, was *fetch.Account, sec targetSecret) error {
	if a.Deliver == nil {
		if was != nil && was.Deliver != nil {
			return deliver.Forget(u.creds, *was)
		}
		return nil
	}
	if a.Deliver.Since.IsZero() {
		since, err := deliver.Since(u.arch, *a, time.Now())
		if err != nil {
			return err
		}
		a.Deliver.Since = since
	}
	if sec.typed == "" && sec.held == nil {
		return nil
	}
	// A new way of signing in replaces the one kept.
	if err := deliver.Forget(u.creds, *a); err != nil {
		return err
	}
	if sec.held != nil {
		return u.oauth.Save(deliver.SignInAccount(*a), sec.held)
	}
	return deliver.SetPassword(u.secrets, *a, sec.typed)
}

// deliverBacklog puts what a saved account archived before its delivery
// was turned on into its target, in the background, with its progress
// in the status line. What it does not finish (the window closed, the
// target down) a later fetch sends (deliver.Service.Backlog).
func (u *UI) deliverBacklog(a fetch.Account) {
	svc := &deliver.Service{Archive: u.arch, SignIn: deliver.SignInFrom(u.arch, u.creds), RootCAs: u.opts.RootCAs}
	var mu sync.Mutex
	var shown time.Time
	svc.Progress = func(_ string, p restore.Progress) {
		mu.Lock()
		defer mu.Unlock()
		if time.Since(shown) < 200*time.Millisecond && p.Done+p.Failed < p.Total {
			return
		}
		shown = time.Now()
		onUI(func() {
			u.setStatus(fmt.Sprintf("%s: putting its archived mail into %s: %d of %d", a.Name, a.Deliver, p.Done, p.Total))
		})
	}
	u.setStatus(fmt.Sprintf("%s: putting its archived mail into %s…", a.Name, a.Deliver))
	go func() {
		done, total, err := svc.Backlog(u.ctx, a)
		onUI(func() {
			if err != nil {
				u.showError(fmt.Sprintf("%s: %d of the %d archived messages are in %s; the next fetch goes on with the rest", a.Name, done, total, a.Deliver), err)
				return
			}
			u.setStatus(fmt.Sprintf("%s: all %d archived messages are in %s.", a.Name, total, a.Deliver))
		})
	}()
}

// deliveryLine is what the sidebar says of an account's delivery after
// its last fetch: how many went, how many wait, how many the target
// will not take.
func deliveryLine(r fetch.Result) string {
	var parts []string
	if r.Delivered > 0 {
		parts = append(parts, fmt.Sprintf("%d delivered", r.Delivered))
	}
	switch {
	case r.Waiting > 0 && r.Delivered > 0:
		parts = append(parts, fmt.Sprintf("%d waiting", r.Waiting))
	case r.Waiting > 0:
		parts = append(parts, fmt.Sprintf("%d waiting to be delivered", r.Waiting))
	}
	if r.Refused > 0 {
		parts = append(parts, fmt.Sprintf("%d too large to deliver", r.Refused))
	}
	return strings.Join(parts, ", ")
}

// deliveryNotes reads the standing notes of the accounts that deliver
// (deliver.Note): off the Fyne goroutine.
func deliveryNotes(a *archive.Archive, accts []fetch.Account) map[string]string {
	notes := map[string]string{}
	for _, acct := range accts {
		if n, err := deliver.Note(a, acct); err == nil && n != "" {
			notes[acct.Name] = n
		}
	}
	return notes
}

// deliveryProblem is what the sidebar says of a delivery that failed.
func deliveryProblem(err error) string {
	return "Not delivered: " + strings.TrimPrefix(problem(err), "deliver: ")
}

func isPresetHost(host string) bool {
	for _, p := range imapPresets {
		if p.host != "" && p.host == host {
			return true
		}
	}
	return false
}
