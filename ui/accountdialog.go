package ui

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"popvault/credentials"
	"popvault/fetch"
	"popvault/oauth"
)

var securityLabels = []string{"TLS (port 995)", "STARTTLS (port 110)", "None: password sent unencrypted"}
var securityValues = []fetch.Security{fetch.SecurityTLS, fetch.SecurityStartTLS, fetch.SecurityPlain}

var deleteLabels = []string{"Never", "After 7 days", "After 30 days", "After 90 days", "After a year"}
var deleteDays = []int{0, 7, 30, 90, 365}

var checkLabels = []string{"Off", "Every 5 minutes", "Every 15 minutes", "Every hour"}
var checkMinutes = []int{0, 5, 15, 60}

// accountForm holds the dialog's widgets, so tests can fill it in.
type accountForm struct {
	name, email, host, port, user, password *widget.Entry
	security, deleteAfter, check, auth      *widget.Select
	keep                                    *widget.Check
	oauth                                   *oauthForm
	deliver                                 *deliveryForm // "Also put new mail into another mailbox"
	note, warning, result, where            *widget.Label
	test                                    *widget.Button
	dialog                                  dialog.Dialog
	existing                                *fetch.Account
	taken                                   map[string]bool // the names of the accounts there are
	whereText                               string          // where a password goes
	passwordItem                            *widget.FormItem
	form                                    *widget.Form
}

// refreshForm redraws the form after a label changed.
func (f *accountForm) refreshForm() {
	if f.form != nil {
		f.form.Refresh()
	}
}

// showWhere says where the password, or the sign-in, is kept.
func (f *accountForm) showWhere() {
	text := f.whereText
	if f.oauth.provider() != "" {
		text = strings.Replace(text, "The password is", "The sign-in is", 1)
	}
	setNote(f.where, text)
}

// showAccountDialog adds an account, or edits existing.
func (u *UI) showAccountDialog(existing *fetch.Account) *accountForm {
	f := u.newAccountForm(existing)
	items := []*widget.FormItem{
		widget.NewFormItem("E-mail address", f.email),
		widget.NewFormItem("Account name", f.name),
		widget.NewFormItem("Server", f.host),
		widget.NewFormItem("Port", f.port),
		widget.NewFormItem("Security", f.security),
		widget.NewFormItem("User name", f.user),
		widget.NewFormItem("Sign in with", f.auth),
		f.passwordItem,
		widget.NewFormItem("", f.keep),
		widget.NewFormItem("Delete from server", f.deleteAfter),
		widget.NewFormItem("Check for mail", f.check),
	}
	title := "Add account"
	if existing != nil {
		title = "Edit " + existing.Name
	}
	form := widget.NewForm(items...)
	f.form = form
	body := container.NewVBox(form, f.oauth.box, f.deliver.box, f.where, f.warning, f.note, container.NewBorder(nil, nil, f.test, nil, f.result))
	// Where the password goes, and whether cron can read it there: asking
	// the keyring is I/O, so not on this goroutine.
	u.background(func() func() {
		where := credentials.Where(u.secrets)
		return func() {
			f.whereText = where
			f.showWhere()
		}
	})
	// Cancel has nothing to undo: a sign-in is held in the dialog until
	// Save keeps it.
	f.dialog = dialog.NewCustomConfirm(title, "Save", "Cancel", container.NewVScroll(body), func(ok bool) {
		if ok {
			u.saveAccount(f)
		}
	}, u.win)
	f.dialog.Resize(fyne.NewSize(560, 640))
	f.dialog.Show()
	return f
}

func (u *UI) newAccountForm(existing *fetch.Account) *accountForm {
	f := &accountForm{existing: existing, taken: map[string]bool{},
		name: widget.NewEntry(), email: widget.NewEntry(), host: widget.NewEntry(), port: widget.NewEntry(),
		user: widget.NewEntry(), password: widget.NewPasswordEntry(),
		note: widget.NewLabel(""), warning: widget.NewLabel(""), result: widget.NewLabel(""), where: widget.NewLabel(""),
	}
	f.where.Importance = widget.LowImportance
	for _, l := range []*widget.Label{f.note, f.warning, f.result, f.where} {
		l.Wrapping = fyne.TextWrapWord
	}
	for _, l := range []*widget.Label{f.note, f.warning, f.where} {
		l.Hide() // until they have something to say: an empty line pushes Test connection out of sight
	}
	f.warning.Importance = widget.DangerImportance
	for _, a := range u.accounts {
		f.taken[a.Name] = true
	}
	f.email.SetPlaceHolder("you@example.org")
	f.host.SetPlaceHolder("pop.example.org")
	f.port.SetText("995")
	f.security = widget.NewSelect(securityLabels, func(s string) { f.securityChanged() })
	f.security.SetSelectedIndex(0)
	f.deleteAfter = widget.NewSelect(deleteLabels, nil)
	f.deleteAfter.SetSelectedIndex(0)
	f.check = widget.NewSelect(checkLabels, nil)
	f.check.SetSelectedIndex(0)
	f.keep = widget.NewCheck("Keep messages on the server", func(on bool) {
		if on {
			f.deleteAfter.Enable()
		} else {
			f.deleteAfter.Disable()
		}
	})
	f.keep.SetChecked(true)
	f.oauth = newOAuthForm(u, f)
	f.passwordItem = widget.NewFormItem("Password", container.NewStack(f.password, f.oauth.signInRow))
	f.auth = widget.NewSelect(authLabels, func(string) { f.oauth.changed() })
	f.auth.SetSelectedIndex(0)
	f.email.OnChanged = func(s string) { f.applyPreset(s) }
	f.test = widget.NewButton("Test connection", func() { u.testConnection(f) })
	f.deliver = newDeliveryForm(u, existing)
	if existing != nil {
		f.fill(*existing)
	} else if u.opts.Prefill != nil {
		f.fill(*u.opts.Prefill)
		f.password.SetText(u.opts.PrefillPassword)
	}
	return f
}

func (f *accountForm) fill(a fetch.Account) {
	f.email.SetText(a.Email)
	f.name.SetText(a.Name)
	f.host.SetText(a.Host)
	f.port.SetText(strconv.Itoa(a.Port))
	for i, v := range securityValues {
		if v == a.Security {
			f.security.SetSelectedIndex(i)
		}
	}
	f.port.SetText(strconv.Itoa(a.Port))
	f.user.SetText(a.User)
	f.keep.SetChecked(a.KeepOnServer)
	f.deleteAfter.SetSelectedIndex(closest(deleteDays, a.DeleteAfterDays))
	f.check.SetSelectedIndex(closest(checkMinutes, a.CheckEveryMinutes))
	for i, v := range authValues {
		if v == a.OAuth {
			f.auth.SetSelectedIndex(i)
		}
	}
	if f.existing != nil {
		f.name.Disable()
		if a.OAuth == "" {
			f.password.SetPlaceHolder("unchanged")
		}
		f.loadKeptClient(a)
	}
}

// loadKeptClient reads, off the UI goroutine, the app an OAuth account
// signed in with on this machine, so that signing in again reuses it.
func (f *accountForm) loadKeptClient(a fetch.Account) {
	if a.OAuth == "" {
		return
	}
	u := f.oauth.u
	u.background(func() func() {
		c, err := u.oauth.Client(a)
		return func() {
			if err != nil {
				f.oauth.status.SetText("Not signed in on this machine: sign in below.")
				return
			}
			f.oauth.kept = &c
			if c.Provider == oauth.ProviderMicrosoft && f.oauth.clientID.Text == "" {
				f.oauth.clientID.SetText(c.ClientID)
			}
			if c.Provider == oauth.ProviderCustom {
				f.oauth.clientID.SetText(c.ClientID)
				f.oauth.authURL.SetText(c.AuthURL)
				f.oauth.tokenURL.SetText(c.TokenURL)
				f.oauth.scopes.SetText(strings.Join(c.Scopes, " "))
			}
			f.oauth.changed()
			f.oauth.status.SetText("Signed in. Sign in again only to change the account or the app.")
		}
	})
}

func closest(options []int, v int) int {
	best := 0
	for i, o := range options {
		if abs(o-v) < abs(options[best]-v) {
			best = i
		}
	}
	return best
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// applyPreset fills the server settings from a known provider's address.
func (f *accountForm) applyPreset(email string) {
	p, ok := PresetFor(email)
	if !ok {
		setNote(f.note, "")
		return
	}
	setNote(f.note, p.Provider+": "+p.Note)
	if p.Host == "" {
		return
	}
	f.host.SetText(p.Host)
	for i, v := range securityValues {
		if v == p.Security {
			f.security.SetSelectedIndex(i)
		}
	}
	f.port.SetText(strconv.Itoa(p.Port))
	if p.UserIsEmail {
		f.user.SetText(strings.TrimSpace(email))
	}
	if _, builtIn := oauth.BuiltIn(p.OAuth); p.OAuthOnly || builtIn {
		for i, v := range authValues {
			if v == p.OAuth {
				f.auth.SetSelectedIndex(i)
			}
		}
	}
	if f.name.Text == "" {
		f.name.SetText(f.freeName(p.Provider, strings.TrimSpace(email)))
	}
}

// freeName names a new account after its provider ("Gmail"), or, when an
// account has that name, after its address, or else the provider and a
// number: a second Gmail account is never named as the first.
func (f *accountForm) freeName(provider, email string) string {
	if !f.taken[provider] {
		return provider
	}
	if email != "" && !f.taken[email] {
		return email
	}
	for n := 2; ; n++ {
		if name := fmt.Sprintf("%s %d", provider, n); !f.taken[name] {
			return name
		}
	}
}

// nameInUse says, for a new account, that its name is another's.
func (f *accountForm) nameInUse(name string) error {
	if f.existing == nil && f.taken[name] {
		return fmt.Errorf("an account named %q exists: give this one another name", name)
	}
	return nil
}

func (f *accountForm) securityChanged() {
	s := f.selectedSecurity()
	if port, _ := strconv.Atoi(f.port.Text); port == 0 || port == 995 || port == 110 {
		f.port.SetText(strconv.Itoa(fetch.DefaultPort(s)))
	}
	if s == fetch.SecurityPlain {
		setNote(f.warning, "Without encryption your password and your mail cross the network in plain text, readable by anyone on the way. Use this only on a network you trust.")
	} else {
		setNote(f.warning, "")
	}
}

func (f *accountForm) selectedSecurity() fetch.Security {
	i := f.security.SelectedIndex()
	if i < 0 {
		return fetch.SecurityTLS
	}
	return securityValues[i]
}

// account reads the form.
func (f *accountForm) account() (fetch.Account, error) {
	port, err := strconv.Atoi(strings.TrimSpace(f.port.Text))
	if err != nil {
		return fetch.Account{}, errors.New("the port must be a number")
	}
	a := fetch.Account{
		Name: f.name.Text, Email: strings.TrimSpace(f.email.Text), Host: f.host.Text, Port: port,
		Security: f.selectedSecurity(), User: f.user.Text, KeepOnServer: f.keep.Checked,
		Timeout: fetch.Duration(60 * time.Second),
	}
	if f.existing != nil {
		a.CAFile, a.Timeout = f.existing.CAFile, f.existing.Timeout
		a.ID, a.NameKeyed = f.existing.ID, f.existing.NameKeyed
	}
	a.OAuth = f.oauth.provider()
	if f.existing != nil && a.OAuth == "" {
		a.TokenAuth = f.existing.TokenAuth
	}
	if i := f.deleteAfter.SelectedIndex(); a.KeepOnServer && i > 0 {
		a.DeleteAfterDays = deleteDays[i]
	}
	if i := f.check.SelectedIndex(); i > 0 {
		a.CheckEveryMinutes = checkMinutes[i]
	}
	if a.Deliver, _, err = f.deliver.settings(); err != nil {
		return a, err
	}
	a = a.WithDefaults()
	return a, a.Check()
}

func (u *UI) testConnection(f *accountForm) {
	a, err := f.account()
	if err != nil {
		f.result.SetText(err.Error())
		return
	}
	typed, existing, held, typedTarget := f.password.Text, f.existing, f.oauth.held, f.deliver.pwd.Text
	// The sign-in just made, else the one kept for the account being
	// edited: never one kept on this machine for some other account.
	if a.OAuth != "" && held == nil && (existing == nil || existing.OAuth != a.OAuth) {
		f.result.SetText("Sign in first: press " + f.oauth.signIn.Text + ".")
		return
	}
	f.result.SetText("Connecting…")
	f.test.Disable()
	u.background(func() func() {
		pw := typed
		var err error
		if pw == "" && existing != nil && a.OAuth == "" {
			pw, err = credentials.Password(u.secrets, *existing)
		}
		var n int
		var size int64
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			n, size, err = u.fetcher.TryConnection(ctx, a, u.creds.Trying(pw, held))
			cancel()
		}
		var terr error
		if err == nil && a.Deliver != nil {
			terr = u.tryDelivery(context.Background(), a, typedTarget)
		}
		return func() {
			f.test.Enable()
			if err != nil {
				f.result.SetText("Failed: " + err.Error())
				return
			}
			text := fmt.Sprintf("Connected: %d messages (%s) on the server.", n, humanSize(size))
			switch {
			case terr != nil:
				text += " The other mailbox failed: " + terr.Error()
			case a.Deliver != nil:
				text += fmt.Sprintf(" The other mailbox, %s, is ready.", a.Deliver)
			}
			f.result.SetText(text)
		}
	})
}

// saveAccount stores the settings and the password or the sign-in off
// the UI goroutine. A new account's name must be free: it is checked
// before anything is stored, and again as the account is stored, so an
// account of that name keeps what it signs in with.
func (u *UI) saveAccount(f *accountForm) {
	a, err := f.account()
	if err == nil {
		err = f.nameInUse(a.Name)
	}
	if err != nil {
		u.showError("The account was not saved", err)
		return
	}
	typed, typedTarget := f.password.Text, f.deliver.pwd.Text
	held := f.oauth.held
	keepsSignIn := f.existing != nil && f.existing.OAuth == a.OAuth
	if a.OAuth != "" && held == nil && !keepsSignIn {
		u.showError("The account was not saved", errors.New("sign in first: press "+f.oauth.signIn.Text))
		return
	}
	existing := f.existing
	if existing == nil {
		a.ID = fetch.NewAccountID()
	}
	creds := u.credentials()
	u.background(func() func() {
		var err, ferr error
		switch {
		case a.OAuth != "" && held != nil:
			err = u.oauth.Save(a, held)
		case a.OAuth != "":
		case typed != "":
			err = credentials.SetPassword(u.secrets, a, typed)
		case existing == nil || existing.OAuth != "":
			err = errors.New("enter the password")
		}
		if err == nil {
			err = u.saveDelivery(&a, typedTarget)
		}
		switch {
		case err != nil:
		case existing == nil:
			if err = fetch.AddAccount(u.arch, a); err != nil {
				// What was just stored under the new account's id is
				// no one's now.
				err = errors.Join(err, creds.Forget(a))
			}
		default:
			if err = fetch.SaveAccount(u.arch, a); err == nil {
				ferr = creds.ForgetReplaced(*existing, a)
			}
		}
		return func() {
			if err != nil {
				u.showError("The account was not saved", err)
				return
			}
			u.setStatus(fmt.Sprintf("Saved %s. %s", a.Name, a.Describe()))
			if ferr != nil {
				u.showError(fmt.Sprintf("Saved %s, but what it signed in with before could not be deleted from this machine", a.Name), ferr)
			}
			u.reloadAccounts()
		}
	})
}

// credentials are the places this machine keeps what the window's
// accounts sign in with.
func (u *UI) credentials() *credentials.Store { return u.creds }

// setNote shows a label with text, or hides it when there is none.
func setNote(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}
