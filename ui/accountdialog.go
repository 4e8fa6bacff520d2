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

// The port beside it says which port: the labels do not, since a port
// typed by hand would contradict them.
var securityLabels = []string{"TLS: encrypted from the start", "STARTTLS: encrypted after connecting", "None: password and mail sent unencrypted"}
var securityValues = []fetch.Security{fetch.SecurityTLS, fetch.SecurityStartTLS, fetch.SecurityPlain}

// What happens on the server: one choice, its consequence said under it.
const (
	serverKeep     = "Keep everything on the server"
	serverKeepDays = "Keep, then delete from the server after some days"
	serverDelete   = "Delete from the server once safely in the archive"
)

var serverChoices = []string{serverKeep, serverKeepDays, serverDelete}

// accountForm holds the dialog's widgets, so tests can fill it in.
type accountForm struct {
	name, email, host, port, user, password *dialogEntry
	provider, security, deleteAfter, check  *dialogSelect
	auth                                    *dialogSelect
	deleteDays, checkEvery                  choices         // what deleteAfter and check offer
	server                                  *dialogRadio    // what happens on the server
	consequence                             *widget.Label   // what that choice will do
	steps                                   *fyne.Container // the provider's steps, with links
	oauth                                   *oauthForm
	deliver                                 *deliveryForm // "Also put new mail into another mailbox"
	note, warning, result, where            *widget.Label
	test, save                              *dialogButton
	dialog                                  *dialog.CustomDialog
	existing                                *fetch.Account
	taken                                   map[string]bool // the names of the accounts there are
	whereText                               string          // where a password goes
	passwordItem                            *widget.FormItem
	form                                    *widget.Form
	missing                                 fieldNotes        // what each field lacks, said under it
	scroll                                  *container.Scroll // the dialog's body, scrolled to the first field that lacks something
	// failedTest is what the last Test connection that failed tried
	// (testedWith); Save with the same asks first.
	failedTest string
	// onSaved runs after the account is saved: the first run's fetch.
	onSaved func(fetch.Account)
	filling bool // a provider or an address is filling the form in
}

// refreshForm redraws the form after a label changed.
func (f *accountForm) refreshForm() {
	if f.form != nil {
		f.form.Refresh()
	}
}

// showWhere says where the password, or the sign-in, is kept.
func (f *accountForm) showWhere() {
	text, _ := splitDetail(f.whereText) // the technical why is in Settings, behind Details
	if f.oauth.provider() != "" {
		text = strings.Replace(text, "The password is", "The sign-in is", 1)
	}
	setNote(f.where, text)
}

// showAccountDialog adds an account, or edits existing.
func (u *UI) showAccountDialog(existing *fetch.Account) *accountForm {
	f := u.newAccountForm(existing)
	items := []*widget.FormItem{
		widget.NewFormItem("E-mail address", f.missing.wrap(f.email)),
		widget.NewFormItem("Account name", f.missing.wrap(f.name)),
		widget.NewFormItem("Server", f.missing.wrap(f.host)),
		widget.NewFormItem("Port", f.missing.wrap(f.port)),
		widget.NewFormItem("Security", f.security),
		widget.NewFormItem("User name", f.missing.wrap(f.user)),
		widget.NewFormItem("Sign in with", f.auth),
		f.passwordItem,
		widget.NewFormItem("On the server", container.NewVBox(f.server, f.deleteAfter, f.consequence)),
		widget.NewFormItem("Check for mail", f.check),
	}
	title := "Add account"
	if existing != nil {
		title = "Edit " + existing.Name
	}
	form := widget.NewForm(items...)
	f.form = form
	// The provider first, then its steps, then the rest of the form.
	body := container.NewVBox(widget.NewForm(widget.NewFormItem("Provider", f.provider)), f.steps, form, f.oauth.box, f.deliver.box, f.where, f.warning, f.note, container.NewBorder(nil, nil, f.test, nil, f.result))
	// Where the password goes, and whether cron can read it there: asking
	// the keyring is I/O, so not on this goroutine.
	u.background(func() func() {
		where := credentials.Where(u.secrets)
		return func() {
			f.whereText = where
			f.showWhere()
		}
	})
	// Save checks the form first and keeps the dialog open, with what was
	// typed, to say what is missing at the field. Cancel has nothing to
	// undo: a sign-in is held in the dialog until Save keeps it.
	f.scroll = container.NewVScroll(body)
	f.dialog = dialog.NewCustomWithoutButtons(title, f.scroll, u.win)
	cancel := u.dialogButton("Cancel", func() { f.dialog.Hide() })
	f.save = u.dialogButton("Save", func() { u.saveAccount(f) })
	f.save.Importance = widget.HighImportance
	f.dialog.SetButtons([]fyne.CanvasObject{cancel, f.save})
	f.dialog.Resize(fyne.NewSize(600, 700))
	u.showDialog(f.dialog, nil)
	u.lastAccountForm = f
	return f
}

// lacking says, under each field, what it lacks, and reports whether
// anything does. The fields are checked in the order shown.
func (f *accountForm) lacking() bool {
	say := func(e *dialogEntry, text string) { f.missing.say(e, text) }
	any := false
	check := func(e *dialogEntry, bad bool, text string) {
		if bad {
			say(e, text)
			any = true
		} else {
			say(e, "")
		}
	}
	name := strings.TrimSpace(f.name.Text)
	check(f.name, name == "", "Give the account a name: it is how popvault shows it.")
	if err := f.nameInUse(name); name != "" && err != nil {
		say(f.name, capitalize(err.Error())+".")
		any = true
	}
	check(f.host, strings.TrimSpace(f.host.Text) == "", "Type the POP server's name, e.g. pop.example.org: your provider's help pages give it.")
	port, err := strconv.Atoi(strings.TrimSpace(f.port.Text))
	check(f.port, err != nil || port < 1 || port > 65535, fmt.Sprintf("The port is a number from 1 to 65535: %d for TLS, %d for STARTTLS or none.",
		fetch.DefaultPort(fetch.SecurityTLS), fetch.DefaultPort(fetch.SecurityStartTLS)))
	check(f.user, strings.TrimSpace(f.user.Text) == "", "Type the user name: often the whole e-mail address.")
	switch p := f.oauth.provider(); {
	case p == "" && f.password.Text == "" && (f.existing == nil || f.existing.OAuth != ""):
		say(f.password, "Type the password (or the app password your provider made).")
		any = true
	case p != "" && f.oauth.held == nil && (f.existing == nil || f.existing.OAuth != p):
		f.oauth.status.SetText("Sign in first: press " + f.oauth.signIn.Text + ".")
		any = true
	default:
		say(f.password, "")
	}
	return any
}

func (u *UI) newAccountForm(existing *fetch.Account) *accountForm {
	f := &accountForm{existing: existing, taken: map[string]bool{}, missing: fieldNotes{},
		name: u.dialogEntry(), email: u.dialogEntry(), host: u.dialogEntry(), port: u.dialogEntry(),
		user: u.dialogEntry(), password: u.dialogPassword(),
		note: widget.NewLabel(""), warning: widget.NewLabel(""), result: widget.NewLabel(""), where: widget.NewLabel(""),
		consequence: widget.NewLabel(""), steps: container.NewVBox(),
	}
	f.where.Importance = widget.LowImportance
	f.consequence.Importance = widget.LowImportance
	for _, l := range []*widget.Label{f.note, f.warning, f.result, f.where, f.consequence} {
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
	f.security = u.dialogSelect(securityLabels, func(s string) { f.securityChanged() })
	f.security.SetSelectedIndex(0)
	f.deleteDays, f.checkEvery = deleteChoices, checkChoices
	f.deleteAfter = u.dialogSelect(f.deleteDays.labels(), func(string) { f.serverChanged() })
	f.deleteAfter.SetSelectedIndex(f.deleteDays.index(30))
	f.server = u.dialogRadio(serverChoices, func(string) { f.serverChanged() })
	f.server.Required = true
	f.server.SetSelected(serverKeep)
	f.check = u.dialogSelect(f.checkEvery.labels(), nil)
	f.check.SetSelectedIndex(f.checkEvery.index(0))
	f.oauth = newOAuthForm(u, f)
	f.passwordItem = widget.NewFormItem("Password", container.NewStack(f.missing.wrap(f.password), f.oauth.signInRow))
	f.auth = u.dialogSelect(authLabels, func(string) { f.oauth.changed() })
	f.auth.SetSelectedIndex(0)
	f.provider = u.dialogSelect(providerNames(), func(string) { f.providerChanged() })
	f.email.OnChanged = func(s string) { f.applyPreset(s) }
	f.test = u.dialogButton("Test connection", func() { u.testConnection(f) })
	f.provider.SetSelectedIndex(len(providers) - 1)
	f.deliver = newDeliveryForm(u, existing)
	if existing != nil {
		f.fill(*existing)
	} else if u.opts.Prefill != nil {
		f.fill(*u.opts.Prefill)
		f.password.SetText(u.opts.PrefillPassword)
	}
	return f
}

// serverChanged says what the server choice will do, and asks for the
// days only when they count.
func (f *accountForm) serverChanged() {
	if f.consequence == nil || f.deleteAfter == nil || f.server == nil {
		return
	}
	switch f.server.Selected {
	case serverKeepDays:
		f.deleteAfter.Show()
		f.consequence.SetText(fmt.Sprintf("Each message stays on the server %s after it is safely in the archive, then popvault deletes it there. "+
			"One you delete here first stays on the server.", f.deleteAfter.Selected))
	case serverDelete:
		f.deleteAfter.Hide()
		f.consequence.SetText("Each message is deleted from the server as soon as the archive holds it safely: this computer then has the only copy. Back the archive up.")
	default:
		f.deleteAfter.Hide()
		f.consequence.SetText("Only new messages are downloaded. Nothing is ever deleted on the server.")
	}
	f.refreshForm()
}

// providerChanged fills in the chosen provider's server and shows its
// steps, each with the page where it is done.
func (f *accountForm) providerChanged() {
	i := f.provider.SelectedIndex()
	if i < 0 {
		return
	}
	p := providers[i]
	f.steps.RemoveAll()
	if len(p.steps) > 0 {
		f.steps.Add(widget.NewLabelWithStyle("At "+strings.TrimSuffix(p.name, " / Microsoft 365")+", first:", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	}
	for n, st := range p.steps {
		l := widget.NewLabel(fmt.Sprintf("%d. %s", n+1, st.text))
		l.Wrapping = fyne.TextWrapWord
		f.steps.Add(l)
		if st.link != "" {
			f.steps.Add(f.link(st.label, st.link))
		}
	}
	if p.noPOP {
		if f.save != nil {
			f.save.Disable()
		}
		f.test.Disable()
	} else {
		if f.save != nil {
			f.save.Enable()
		}
		f.test.Enable()
	}
	if p.domain != "" && !f.filling && !p.noPOP {
		f.filling = true
		f.fillPreset(presets[p.domain], strings.TrimSpace(f.email.Text))
		f.filling = false
	}
}

// link is a page to open, through the window's browser (Options.OpenURL).
func (f *accountForm) link(label, address string) *dialogLink {
	u := f.oauth.u
	h := u.dialogLink(label, nil)
	h.OnTapped = func() {
		if err := u.openURL(address); err != nil {
			setNote(f.result, "The browser did not open: go to "+address+" yourself.")
		}
	}
	return h
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
	switch {
	case !a.KeepOnServer:
		f.server.SetSelected(serverDelete)
	case a.DeleteAfterDays > 0:
		f.deleteDays = f.deleteDays.with(a.DeleteAfterDays)
		f.deleteAfter.SetOptions(f.deleteDays.labels())
		f.deleteAfter.SetSelectedIndex(f.deleteDays.index(a.DeleteAfterDays))
		f.server.SetSelected(serverKeepDays)
	default:
		f.server.SetSelected(serverKeep)
	}
	f.checkEvery = f.checkEvery.with(max(a.CheckEveryMinutes, 0))
	f.check.SetOptions(f.checkEvery.labels())
	f.check.SetSelectedIndex(f.checkEvery.index(max(a.CheckEveryMinutes, 0)))
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

// applyPreset fills the server settings from a known provider's address,
// and chooses that provider.
func (f *accountForm) applyPreset(email string) {
	if f.filling {
		return
	}
	p, ok := PresetFor(email)
	if !ok {
		setNote(f.note, "")
		return
	}
	f.filling = true
	defer func() { f.filling = false }()
	f.provider.SetSelectedIndex(providerOf(email))
	f.fillPreset(p, strings.TrimSpace(email))
}

// fillPreset fills in a provider's server, port, security and way of
// signing in, and says what the provider needs.
func (f *accountForm) fillPreset(p Preset, email string) {
	setNote(f.note, p.Provider+": "+p.Note)
	if len(f.steps.Objects) > 0 {
		f.note.Hide() // the provider's steps above say it, with links
	}
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
	if p.UserIsEmail && email != "" {
		f.user.SetText(email)
	}
	if _, builtIn := oauth.BuiltIn(p.OAuth); p.OAuthOnly || builtIn {
		for i, v := range authValues {
			if v == p.OAuth {
				f.auth.SetSelectedIndex(i)
			}
		}
	}
	if f.name.Text == "" && f.existing == nil {
		f.name.SetText(f.freeName(p.Provider, email))
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
		Name: strings.TrimSpace(f.name.Text), Email: strings.TrimSpace(f.email.Text), Host: strings.TrimSpace(f.host.Text), Port: port,
		Security: f.selectedSecurity(), User: strings.TrimSpace(f.user.Text), KeepOnServer: f.server.Selected != serverDelete,
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
	if days, ok := f.deleteDays.value(f.deleteAfter.SelectedIndex()); ok && f.server.Selected == serverKeepDays {
		a.DeleteAfterDays = days
	}
	if minutes, ok := f.checkEvery.value(f.check.SelectedIndex()); ok {
		a.CheckEveryMinutes = minutes
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
	typed, existing, held := f.password.Text, f.existing, f.oauth.held
	_, target, _ := f.deliver.settings()
	tried := f.testedWith(a)
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
			terr = u.tryDelivery(context.Background(), a, target)
		}
		return func() {
			f.test.Enable()
			if err != nil {
				f.failedTest = tried
				e := explainFetch(a, err)
				text := "Failed: " + e.words
				switch {
				case e.said:
					text += " (the server said: " + e.detail + ")"
				case e.detail != "":
					text += " (in detail: " + e.detail + ")"
				}
				f.result.SetText(text)
				return
			}
			f.failedTest = ""
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

// testedWith is what a Test connection tries with a: the settings and
// what it signs in with, so that Save can tell it was tried and failed.
func (f *accountForm) testedWith(a fetch.Account) string {
	return fmt.Sprintf("%+v|%s|%p", a, f.password.Text, f.oauth.held)
}

// saveAccount checks the form, says at each field what it lacks (the
// dialog stays open, with what was typed), asks before saving settings
// whose Test connection just failed, and then stores them.
func (u *UI) saveAccount(f *accountForm) {
	if f.lacking() {
		f.missing.showFirst(f.scroll)
		return
	}
	a, err := f.account()
	if err != nil {
		setNote(f.result, "Not saved: "+err.Error())
		return
	}
	if f.failedTest != "" && f.failedTest == f.testedWith(a) {
		d := u.ask("Save settings that failed the test?",
			"Test connection failed with these settings. Saved as they are, every fetch fails the same way until they are changed.",
			"Save anyway", "Go back",
			func(ok bool) {
				if ok {
					u.storeAccount(f, a)
				}
			})
		u.showDialog(d, nil)
		return
	}
	u.storeAccount(f, a)
}

// storeAccount stores the settings and the password or the sign-in off
// the UI goroutine. A new account's name must be free: it is checked
// before anything is stored, and again as the account is stored, so an
// account of that name keeps what it signs in with. A failure is said in
// the dialog, which stays open.
func (u *UI) storeAccount(f *accountForm, a fetch.Account) {
	typed := f.password.Text
	_, target, _ := f.deliver.settings()
	also := f.deliver.alsoArchived()
	held := f.oauth.held
	existing := f.existing
	if existing == nil {
		a.ID = fetch.NewAccountID()
	}
	creds := u.credentials()
	f.save.Disable()
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
			err = u.saveDelivery(&a, existing, target)
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
			f.save.Enable()
			if err != nil {
				setNote(f.result, "Not saved: "+err.Error())
				return
			}
			f.dialog.Hide()
			u.setStatus(fmt.Sprintf("Saved %s. %s", a.Name, a.Describe()))
			if also {
				u.deliverBacklog(a) // asked in the delivery section
			}
			if ferr != nil {
				u.showError(fmt.Sprintf("Saved %s, but what it signed in with before could not be deleted from this machine", a.Name), ferr)
			}
			// The first run's fetch needs the account in the window's list,
			// where the scheduler reads it.
			u.reloadAccountsThen(func() {
				if f.onSaved != nil {
					f.onSaved(a)
				}
			})
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
