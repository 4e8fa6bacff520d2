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
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"popvault/bearer"
	"popvault/fetch"
	"popvault/oauth"
	"popvault/restore"
	"popvault/transport"
)

// imapPreset is a provider's IMAP server, for copying mail back.
type imapPreset struct {
	name  string
	host  string
	oauth string // the provider an account signs in with there, if any
	note  string
}

var imapPresets = []imapPreset{
	{name: "Gmail", host: "imap.gmail.com", oauth: oauth.ProviderGoogle,
		note: "Gmail takes an app password (myaccount.google.com/apppasswords), or the sign-in of a Gmail account added with \"Sign in with Google\". A mailbox is a Gmail label."},
	{name: "Outlook.com or Microsoft 365", host: "outlook.office365.com", oauth: oauth.ProviderMicrosoft,
		note: "Microsoft takes no password: choose an Outlook account added with \"Sign in with Microsoft\"."},
	{name: "Fastmail", host: "imap.fastmail.com",
		note: "Fastmail needs an app password: Settings, Privacy & Security, Manage app passwords, with IMAP access."},
	{name: "Self-hosted or another server"},
}

// As the account dialog's: the port beside it says which port.
var imapSecurityLabels = []string{"TLS: encrypted from the start", "STARTTLS: encrypted after connecting", "None: password and mail sent unencrypted"}

// restoreForm holds the copy dialog's widgets, so tests can fill it in.
type restoreForm struct {
	u                   *UI
	account, search     string // what the window showed when the dialog opened
	open                uint64 // the message open in the reader, 0 for none
	scope               *dialogRadio
	preset, security    *dialogSelect
	signIn              *dialogSelect
	host, port, user    *dialogEntry
	password, caFile    *dialogEntry
	mailbox             *dialogEntry
	create              *dialogCheck
	note, warning       *widget.Label
	passwordItem        *widget.FormItem
	form                *widget.Form
	dialog              *dialog.CustomDialog
	notes               fieldNotes      // what each field lacks, said under it
	problem             *widget.Label   // what stops the copy otherwise, beside Copy
	signIns             []fetch.Account // OAuth accounts offered under signIn, after "Password"
	signInNote          *widget.Label   // why a sign-in was not kept
	scopeAll, scopeOpen string
	progress            *restoreProgress // once Copy was pressed
}

// showRestoreDialog asks where to copy what the window shows (an
// account, a search's results, or the open message) and copies it.
func (u *UI) showRestoreDialog() *restoreForm {
	f := &restoreForm{u: u, account: u.selected, search: strings.TrimSpace(u.search.Text),
		host: u.dialogEntry(), port: u.dialogEntry(), user: u.dialogEntry(),
		password: u.dialogPassword(), caFile: u.dialogEntry(), mailbox: u.dialogEntry(),
		note: widget.NewLabel(""), warning: widget.NewLabel(""), signInNote: widget.NewLabel(""),
		notes: fieldNotes{}, problem: widget.NewLabel("")}
	if v := u.reader.view; v != nil {
		f.open = v.ID
	}
	for _, l := range []*widget.Label{f.note, f.warning, f.signInNote, f.problem} {
		l.Wrapping = fyne.TextWrapWord
		l.Hide()
	}
	f.warning.Importance = widget.DangerImportance
	f.problem.Importance = widget.DangerImportance
	f.scopeAll = scopeText(f.account, f.search)
	if c, ok := u.counts[f.account]; ok && f.search == "" {
		f.scopeAll += fmt.Sprintf(" (%d messages)", c.Total)
	}
	scopes := []string{f.scopeAll}
	if f.open != 0 {
		f.scopeOpen = "Only the open message: " + clip(u.reader.view.Subject, 50)
		scopes = append(scopes, f.scopeOpen)
	}
	f.scope = u.dialogRadio(scopes, nil)
	f.scope.SetSelected(f.scopeAll)
	f.scope.Required = true
	f.host.SetPlaceHolder("imap.example.org")
	f.caFile.SetPlaceHolder("optional: a CA certificate (PEM file) to trust")
	f.mailbox.SetText("Restored from popvault")
	f.create = u.dialogCheck("Make the mailbox if it does not exist", nil)
	f.create.SetChecked(true)
	f.security = u.dialogSelect(imapSecurityLabels, func(string) { f.securityChanged() })
	f.security.SetSelectedIndex(0)
	f.signIn = u.dialogSelect([]string{"Password"}, func(string) { f.signInChanged() })
	for _, a := range u.accounts {
		if a.OAuth != "" {
			f.signIns = append(f.signIns, a)
		}
	}
	var options []string
	for _, a := range f.signIns {
		options = append(options, "The sign-in of "+a.Name)
	}
	f.signIn.Options = append(f.signIn.Options, options...)
	f.signIn.SetSelectedIndex(0)
	var names []string
	for _, p := range imapPresets {
		names = append(names, p.name)
	}
	f.preset = u.dialogSelect(names, func(string) { f.presetChanged() })
	f.host.OnChanged = func(string) { f.checkSignIn() }
	f.passwordItem = widget.NewFormItem("Password", f.notes.wrap(f.password))
	f.form = widget.NewForm(
		widget.NewFormItem("Copy", f.scope),
		widget.NewFormItem("Provider", f.preset),
		widget.NewFormItem("Server", f.notes.wrap(f.host)),
		widget.NewFormItem("Port", f.notes.wrap(f.port)),
		widget.NewFormItem("Security", f.security),
		widget.NewFormItem("CA certificate", f.caFile),
		widget.NewFormItem("User name", f.notes.wrap(f.user)),
		widget.NewFormItem("Sign in with", f.signIn),
		f.passwordItem,
		widget.NewFormItem("Mailbox", f.notes.wrap(f.mailbox)),
		widget.NewFormItem("", f.create),
	)
	// Start from the last copy's server, else from the account shown:
	// its provider and address.
	f.preset.SetSelectedIndex(len(imapPresets) - 1)
	if a := u.selectedAccount(); a != nil {
		f.fillFrom(*a)
	}
	f.fillLast()
	explain := widget.NewLabel("Each message is copied byte for byte, once: running the copy again, or after it was cut off, sends only what is missing.")
	explain.Wrapping = fyne.TextWrapWord
	explain.Importance = widget.LowImportance
	body := container.NewVBox(f.form, f.signInNote, f.note, f.warning, explain, f.problem)
	// Copy checks the form first: what is missing is said at its field,
	// and the dialog stays open with what was chosen.
	f.dialog = dialog.NewCustomWithoutButtons("Copy to an IMAP mailbox", container.NewVScroll(body), u.win)
	copyButton := u.dialogButton("Copy", f.start)
	copyButton.Importance = widget.HighImportance
	f.dialog.SetButtons([]fyne.CanvasObject{u.dialogButton("Cancel", f.dialog.Hide), copyButton})
	f.dialog.Resize(fyne.NewSize(600, 660))
	u.showDialog(f.dialog, nil)
	return f
}

// scopeText says what copying what the window shows takes.
func scopeText(account, search string) string {
	what := "All mail"
	if account != "" {
		what = "All of " + account
	}
	if search != "" {
		what += " matching “" + clip(search, 40) + "”"
	}
	return what
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// fillFrom takes the provider, user and sign-in of the account shown:
// the provider it signs in with (a Google Workspace address is Gmail's
// too), else the one of its address.
func (f *restoreForm) fillFrom(a fetch.Account) {
	p, ok := PresetFor(a.Email)
	for i, ip := range imapPresets {
		if a.OAuth != "" && ip.oauth == a.OAuth || a.OAuth == "" && ok && (ip.name == p.Provider || strings.HasPrefix(ip.name, p.Provider)) {
			f.preset.SetSelectedIndex(i)
		}
	}
	if a.Email != "" && !strings.Contains(a.User, "@") {
		f.user.SetText(a.Email)
	} else {
		f.user.SetText(strings.TrimPrefix(a.User, "recent:"))
	}
	for i, s := range f.signIns {
		if s.Name == a.Name {
			f.signIn.SetSelectedIndex(i + 1)
		}
	}
}

func (f *restoreForm) presetChanged() {
	i := f.preset.SelectedIndex()
	if i < 0 {
		return
	}
	p := imapPresets[i]
	f.host.SetText(p.host)
	if p.host != "" {
		f.security.SetSelectedIndex(0)
		f.port.SetText("993")
		f.caFile.SetText("")
	}
	setNote(f.note, p.note)
	f.refresh()
}

func (f *restoreForm) securityChanged() {
	s := f.selectedSecurity()
	if port, _ := strconv.Atoi(f.port.Text); port == 0 || port == 993 || port == 143 {
		port = 993
		if s != transport.SecurityTLS {
			port = 143
		}
		f.port.SetText(strconv.Itoa(port))
	}
	if s == transport.SecurityPlain {
		setNote(f.warning, "Without encryption your password and your mail cross the network in plain text, readable by anyone on the way. Use this only on a network you trust.")
	} else {
		setNote(f.warning, "")
	}
	f.checkSignIn()
	f.refresh()
}

func (f *restoreForm) signInChanged() {
	if f.passwordItem == nil {
		return
	}
	if f.signIn.SelectedIndex() > 0 {
		f.password.Disable()
		f.password.SetPlaceHolder("not needed: the account's sign-in is used")
	} else {
		f.password.Enable()
		f.password.SetPlaceHolder("")
	}
	f.checkSignIn()
}

// checkSignIn goes back to a password whenever the sign-in chosen may not
// go to the server and security the form now names (a server typed, the
// last copy's put back, a preset chosen, encryption turned off), and
// says why: an account's sign-in goes only to its provider's servers
// (credentials.OAuthStore.CheckHost, the one rule). Copy asks again.
func (f *restoreForm) checkSignIn() {
	if f.signIn == nil || f.security == nil || f.passwordItem == nil {
		return // still being built
	}
	i, host := f.signIn.SelectedIndex(), strings.TrimSpace(f.host.Text)
	if i <= 0 || host == "" {
		return // no server yet: Copy asks for one
	}
	err := f.u.oauth.CheckHost(f.signIns[i-1], host, f.selectedSecurity())
	if err == nil {
		setNote(f.signInNote, "")
		return
	}
	f.signIn.SetSelectedIndex(0)
	setNote(f.signInNote, capitalize(strings.TrimPrefix(err.Error(), "fetch: "))+".")
	f.refresh()
}

func (f *restoreForm) refresh() {
	if f.form != nil {
		f.form.Refresh()
	}
}

func (f *restoreForm) selectedSecurity() transport.Security {
	switch f.security.SelectedIndex() {
	case 1:
		return transport.SecurityStartTLS
	case 2:
		return transport.SecurityPlain
	}
	return transport.SecurityTLS
}

// target reads the form.
func (f *restoreForm) target() (restore.Target, error) {
	port, err := strconv.Atoi(strings.TrimSpace(f.port.Text))
	if err != nil || port <= 0 || port > 65535 {
		return restore.Target{}, &fieldError{f.port, "the port must be a number from 1 to 65535"}
	}
	t := restore.Target{Host: strings.TrimSpace(f.host.Text), Port: port, Security: f.selectedSecurity(),
		CAFile: strings.TrimSpace(f.caFile.Text), User: strings.TrimSpace(f.user.Text), Mailbox: strings.TrimSpace(f.mailbox.Text)}
	switch {
	case t.Host == "":
		return t, &fieldError{f.host, "which server? Fill in Server"}
	case t.User == "":
		return t, &fieldError{f.user, "fill in the user name"}
	case t.Mailbox == "":
		return t, &fieldError{f.mailbox, "which mailbox? Fill in Mailbox, for example INBOX"}
	case f.signIn.SelectedIndex() <= 0 && f.password.Text == "":
		return t, &fieldError{f.password, "fill in the password"}
	}
	return t, nil
}

// credentials are the password, or an account's OAuth sign-in, for t's
// server only (the store refuses any other, and renews one sign-in once
// at a time for the connections that sign in at once).
func (f *restoreForm) credentials(t restore.Target) (restore.Credentials, error) {
	i := f.signIn.SelectedIndex()
	if i <= 0 {
		return restore.Credentials{Password: f.password.Text}, nil
	}
	acct := f.signIns[i-1]
	tokens, err := f.u.oauth.TokenFor(acct, t.Host, t.Security)
	if err != nil {
		return restore.Credentials{}, err
	}
	return restore.Credentials{Token: func(ctx context.Context, want bearer.Freshness) (string, error) {
		tok, err := tokens(ctx, want)
		if fetch.NeedsSignIn(err) {
			return "", fmt.Errorf("the sign-in of %s has ended: sign in again from its row in the sidebar, then copy again", acct.Name)
		}
		return tok, err
	}}, nil
}

// start reads the form and copies, showing progress. An unusable form
// stays open, saying at the field what it lacks.
func (f *restoreForm) start() {
	u := f.u
	for _, l := range f.notes {
		setNote(l, "")
	}
	setNote(f.problem, "")
	t, err := f.target()
	var creds restore.Credentials
	if err == nil {
		creds, err = f.credentials(t)
	}
	if err != nil {
		text := capitalize(strings.TrimPrefix(err.Error(), "fetch: ")) + "."
		var fe *fieldError
		if errors.As(err, &fe) {
			f.notes.say(fe.field, text)
		} else {
			setNote(f.problem, text)
		}
		return
	}
	f.dialog.Hide()
	account, search := f.account, f.search
	var only uint64
	if f.scope.Selected == f.scopeOpen && f.open != 0 {
		only = f.open
	}
	f.keepLast(t)
	opts := restore.Options{Target: t, Credentials: creds, Create: f.create.Checked, RootCAs: u.opts.RootCAs}
	f.progress = u.copyToIMAP(opts, account, search, only)
}

// restoreProgress is the copy's progress dialog, kept for tests.
type restoreProgress struct {
	dialog  dialog.Dialog
	label   *widget.Label
	bar     *widget.ProgressBar
	cancel  *dialogButton
	summary string        // the result's title and words, once shown
	done    chan struct{} // closed when the result is shown
}

// copyToIMAP copies the messages (an account's or a search's, or one
// message) off the UI goroutine, with a progress bar, Cancel, and a
// summary that names every message not copied.
func (u *UI) copyToIMAP(opts restore.Options, account, search string, only uint64) *restoreProgress {
	ctx, cancel := context.WithCancel(u.ctx)
	p := &restoreProgress{label: widget.NewLabel("Connecting to " + opts.Target.Host + "…"),
		bar: widget.NewProgressBar(), done: make(chan struct{})}
	p.label.Wrapping = fyne.TextWrapWord
	p.cancel = u.dialogButton("Cancel", func() {
		p.cancel.Disable()
		p.label.SetText("Stopping: waiting for the server to answer what it was sent…")
		cancel()
	})
	p.dialog = dialog.NewCustomWithoutButtons("Copying to "+opts.Target.Mailbox,
		container.NewVBox(p.label, p.bar, container.NewHBox(layout.NewSpacer(), p.cancel)), u.win)
	p.dialog.Resize(fyne.NewSize(480, 180))
	// Escape is Cancel: closing the dialog alone would leave the copy
	// running out of sight.
	u.showDialog(hideCalls{p.dialog, func() {
		if !p.cancel.Disabled() {
			p.cancel.OnTapped()
		}
	}}, nil)
	u.setStatus("Copying to " + opts.Target.String() + "…")

	// Progress comes per message; the window is told at most ten times a
	// second.
	var (
		mu      sync.Mutex
		latest  restore.Progress
		pending bool
	)
	opts.Progress = func(pr restore.Progress) {
		mu.Lock()
		latest = pr
		if pending {
			mu.Unlock()
			return
		}
		pending = true
		mu.Unlock()
		time.AfterFunc(100*time.Millisecond, func() {
			mu.Lock()
			pr, pending = latest, false
			mu.Unlock()
			onUI(func() {
				if pr.Total > 0 {
					p.bar.SetValue(float64(pr.Done+pr.Failed) / float64(pr.Total))
				}
				if p.cancel.Disabled() {
					return
				}
				p.label.SetText(fmt.Sprintf("%d of %d messages in %s on %s", pr.Done, pr.Total, opts.Target.Mailbox, opts.Target.Host))
			})
		})
	}
	go func() {
		defer cancel()
		ids, err := u.restoreSelection(ctx, account, search, only)
		var sum *restore.Summary
		if err == nil && len(ids) > 0 {
			sum, err = restore.Run(ctx, u.arch, ids, opts)
		}
		onUI(func() {
			p.dialog.Hide()
			p.summary = u.showRestoreSummary(opts.Target, sum, err)
			close(p.done)
		})
	}()
	return p
}

// restoreSelection lists what to copy. A search waits for the index to
// be complete: a copy must not miss a message that was not indexed yet.
func (u *UI) restoreSelection(ctx context.Context, account, search string, only uint64) ([]uint64, error) {
	if only != 0 {
		return []uint64{only}, nil
	}
	if search != "" {
		if err := u.arch.SearchIndex().Wait(ctx); err != nil {
			return nil, err
		}
	}
	return restore.Select(u.arch, account, search)
}

// showRestoreSummary says what the copy did: complete, or what is
// missing and why, message by message.
// It returns the title and the words, failures included.
func (u *UI) showRestoreSummary(t restore.Target, sum *restore.Summary, err error) string {
	var lines []string
	title := "Copied"
	switch {
	case sum == nil && err == nil:
		lines = append(lines, "There was nothing to copy: no message matches.")
	case errors.Is(err, restore.ErrNoMailbox):
		title = "Not copied"
		lines = append(lines, fmt.Sprintf("There is no mailbox “%s” on %s. Tick “Make the mailbox if it does not exist”, or give another.", t.Mailbox, t.Host))
		sum = nil
	case sum == nil || sum.Sent+sum.Already == 0 && err != nil:
		title = "Not copied"
		lines = append(lines, sentence(err))
	default:
		if !sum.Complete() {
			title = "Copy incomplete"
		}
		lines = append(lines, capitalize(sum.String())+".")
		if sum.Restarted {
			lines = append(lines, "The mailbox was deleted and made again since the last copy into it: the copy started over.")
		}
		if err != nil {
			lines = append(lines, sentence(err))
		}
		if len(sum.Failed) > 0 {
			lines = append(lines, fmt.Sprintf("%d not copied (copying again sends only these):", len(sum.Failed)))
		}
	}
	u.setStatus(strings.Join(lines[:1], ""))
	text := widget.NewLabel(strings.Join(lines, "\n"))
	text.Wrapping = fyne.TextWrapWord
	var content fyne.CanvasObject = text
	if sum != nil && len(sum.Failed) > 0 {
		failed := sum.Failed
		list := widget.NewList(func() int { return len(failed) },
			func() fyne.CanvasObject {
				l := widget.NewLabel("")
				l.Truncation = fyne.TextTruncateEllipsis
				return l
			},
			func(i widget.ListItemID, o fyne.CanvasObject) {
				f := failed[i]
				o.(*widget.Label).SetText(fmt.Sprintf("%s: %s", orDash(f.Subject), f.Reason))
			})
		content = container.NewBorder(text, nil, nil, nil, list)
	}
	d := u.custom(title, "Close", content)
	d.Resize(fyne.NewSize(560, 380))
	u.showDialog(d, nil)
	all := title + "\n" + strings.Join(lines, "\n")
	if sum != nil {
		for _, f := range sum.Failed {
			all += "\n" + f.Subject + ": " + f.Reason
		}
	}
	return all
}

// sentence is an error as a sentence, without the package's prefix.
func sentence(err error) string {
	if errors.Is(err, context.Canceled) {
		return "You cancelled the copy."
	}
	return capitalize(strings.TrimPrefix(err.Error(), "restore: ")) + "."
}

// The last copy's server, kept in the app's preferences (never its
// password or sign-in), so that copying again starts there.
const (
	prefHost     = "restore.host"
	prefPort     = "restore.port"
	prefSecurity = "restore.security"
	prefCAFile   = "restore.cafile"
	prefUser     = "restore.user"
	prefMailbox  = "restore.mailbox"
)

func (f *restoreForm) keepLast(t restore.Target) {
	p := f.u.app.Preferences()
	p.SetString(prefHost, t.Host)
	p.SetInt(prefPort, t.Port)
	p.SetInt(prefSecurity, f.security.SelectedIndex())
	p.SetString(prefCAFile, t.CAFile)
	p.SetString(prefUser, t.User)
	p.SetString(prefMailbox, t.Mailbox)
}

func (f *restoreForm) fillLast() {
	p := f.u.app.Preferences()
	host := p.String(prefHost)
	if host == "" {
		return
	}
	for i, ip := range imapPresets {
		if ip.host == host || i == len(imapPresets)-1 {
			f.preset.SetSelectedIndex(i)
			break
		}
	}
	f.host.SetText(host)
	f.security.SetSelectedIndex(min(max(p.Int(prefSecurity), 0), len(imapSecurityLabels)-1))
	f.port.SetText(strconv.Itoa(p.IntWithFallback(prefPort, 993)))
	f.caFile.SetText(p.String(prefCAFile))
	f.user.SetText(p.String(prefUser))
	if m := p.String(prefMailbox); m != "" {
		f.mailbox.SetText(m)
	}
}
