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
	note, warning, result, where            *widget.Label
	test                                    *widget.Button
	dialog                                  dialog.Dialog
	existing                                *fetch.Account
	whereText                               string // where a password goes
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
	body := container.NewVBox(form, f.oauth.box, f.where, f.warning, f.note, container.NewBorder(nil, nil, f.test, nil, f.result))
	// Where the password goes, and whether cron can read it there: asking
	// the keyring is I/O, so not on this goroutine.
	u.background(func() func() {
		where := fetch.Where(u.secrets)
		return func() {
			f.whereText = where
			f.showWhere()
		}
	})
	f.dialog = dialog.NewCustomConfirm(title, "Save", "Cancel", container.NewVScroll(body), func(ok bool) {
		if ok {
			u.saveAccount(f)
		} else {
			u.forgetUnsavedSignIn(f)
		}
	}, u.win)
	f.dialog.Resize(fyne.NewSize(560, 640))
	f.dialog.Show()
	return f
}

func (u *UI) newAccountForm(existing *fetch.Account) *accountForm {
	f := &accountForm{existing: existing,
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
		c, err := u.oauth.Client(a.Name)
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
		f.name.SetText(p.Provider)
	}
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
	return a, a.Validate()
}

func (u *UI) testConnection(f *accountForm) {
	a, err := f.account()
	if err != nil {
		f.result.SetText(err.Error())
		return
	}
	f.result.SetText("Connecting…")
	f.test.Disable()
	typed, existing := f.password.Text, f.existing
	u.background(func() func() {
		pw := typed
		var err error
		if pw == "" && existing != nil {
			pw, err = u.secrets.Get(existing.Name)
		}
		var n int
		var size int64
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			n, size, err = u.fetcher.Test(ctx, a, pw)
			cancel()
		}
		return func() {
			f.test.Enable()
			if err != nil {
				f.result.SetText("Failed: " + err.Error())
				return
			}
			f.result.SetText(fmt.Sprintf("Connected: %d messages (%s) on the server.", n, humanSize(size)))
		}
	})
}

// saveAccount stores the settings and the password off the UI goroutine.
func (u *UI) saveAccount(f *accountForm) {
	a, err := f.account()
	if err != nil {
		u.showError("The account was not saved", err)
		return
	}
	if f.existing == nil {
		for _, e := range u.accounts {
			if e.Name == a.Name {
				u.showError("The account was not saved", fmt.Errorf("an account named %q exists", a.Name))
				return
			}
		}
	}
	typed := f.password.Text
	o := f.oauth
	keepsSignIn := f.existing != nil && f.existing.OAuth == a.OAuth
	if a.OAuth != "" && o.token == nil && !keepsSignIn {
		u.showError("The account was not saved", errors.New("sign in first: press "+o.signIn.Text))
		return
	}
	u.background(func() func() {
		var err error
		switch {
		case a.OAuth != "" && o.token != nil && o.savedAs != a.Name:
			err = u.oauth.Save(a.Name, o.client, o.token)
		case a.OAuth != "":
		case typed != "":
			err = u.secrets.Set(a.Name, typed)
		case f.existing == nil || f.existing.OAuth != "":
			err = errors.New("enter the password")
		}
		if err == nil {
			err = fetch.SaveAccount(u.arch, a)
		}
		return func() {
			if err != nil {
				u.showError("The account was not saved", err)
				return
			}
			u.setStatus(fmt.Sprintf("Saved %s. %s", a.Name, a.Describe()))
			u.reloadAccounts()
		}
	})
}

// setNote shows a label with text, or hides it when there is none.
func setNote(l *widget.Label, text string) {
	l.SetText(text)
	if text == "" {
		l.Hide()
	} else {
		l.Show()
	}
}

// forgetUnsavedSignIn drops a sign-in kept for Test connection when the
// dialog of a new account is cancelled.
func (u *UI) forgetUnsavedSignIn(f *accountForm) {
	name := f.oauth.savedAs
	if name == "" || f.existing != nil {
		return
	}
	for _, a := range u.accounts {
		if a.Name == name {
			return
		}
	}
	u.background(func() func() {
		u.oauth.Delete(name)
		return nil
	})
}
