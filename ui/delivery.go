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
	"fyne.io/fyne/v2/widget"

	"popvault/deliver"
	"popvault/fetch"
	"popvault/restore"
	"popvault/transport"
)

// deliveryForm is the account dialog's section "Also put new mail into
// another mailbox": an account's delivery target (docs/delivery.md).
type deliveryForm struct {
	u                              *UI
	on                             *widget.Check
	preset, security, signIn       *widget.Select
	host, port, user, mailbox, pwd *widget.Entry
	note                           *widget.Label
	fields                         *fyne.Container
	box                            *fyne.Container
	signIns                        []fetch.Account // the OAuth accounts offered, after "App password"
	existing                       *fetch.Delivery
}

func newDeliveryForm(u *UI, existing *fetch.Account) *deliveryForm {
	f := &deliveryForm{u: u, host: widget.NewEntry(), port: widget.NewEntry(), user: widget.NewEntry(),
		mailbox: widget.NewEntry(), pwd: widget.NewPasswordEntry(), note: widget.NewLabel("")}
	f.note.Wrapping = fyne.TextWrapWord
	f.note.Importance = widget.LowImportance
	f.mailbox.SetText("INBOX")
	f.port.SetText("993")
	names := make([]string, len(imapPresets))
	for i, p := range imapPresets {
		names[i] = p.name
	}
	f.preset = widget.NewSelect(names, func(string) { f.presetChanged() })
	f.security = widget.NewSelect(imapSecurityLabels, func(string) {
		if p := transport.IMAP.DefaultPort(f.selectedSecurity()); p > 0 {
			f.port.SetText(strconv.Itoa(p))
		}
	})
	f.security.SetSelectedIndex(0)
	options := []string{"App password"}
	for _, a := range u.accounts {
		if a.OAuth != "" {
			f.signIns = append(f.signIns, a)
			options = append(options, "Sign in as "+a.Name)
		}
	}
	f.signIn = widget.NewSelect(options, func(string) {
		if f.signIn.SelectedIndex() > 0 {
			f.pwd.Disable()
		} else {
			f.pwd.Enable()
		}
	})
	f.signIn.SetSelectedIndex(0)
	form := widget.NewForm(
		widget.NewFormItem("Provider", f.preset),
		widget.NewFormItem("Server", f.host),
		widget.NewFormItem("Port", f.port),
		widget.NewFormItem("Security", f.security),
		widget.NewFormItem("User name", f.user),
		widget.NewFormItem("Mailbox", f.mailbox),
		widget.NewFormItem("Sign in with", f.signIn),
		widget.NewFormItem("Password", f.pwd),
	)
	f.fields = container.NewVBox(form, f.note)
	f.on = widget.NewCheck("Also put new mail into another mailbox", func(on bool) {
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
	for i, a := range f.signIns {
		if a.Name == d.OAuthAccount {
			f.signIn.SetSelectedIndex(i + 1)
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
	if p.host == "imap.gmail.com" {
		note += " Gmail's spam filter and filters do not run on mail put there: it lands in the mailbox named (INBOX, or a label's name), unread."
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

// settings reads the section: nil when delivery is off, and the password
// typed (empty when signing in as an account, or to keep the one kept).
func (f *deliveryForm) settings() (*fetch.Delivery, string, error) {
	if !f.on.Checked {
		return nil, "", nil
	}
	port, err := strconv.Atoi(strings.TrimSpace(f.port.Text))
	if err != nil || port <= 0 || port > 65535 {
		return nil, "", errors.New("the other mailbox's port must be a number from 1 to 65535")
	}
	d := &fetch.Delivery{Host: strings.TrimSpace(f.host.Text), Port: port, Security: f.selectedSecurity(),
		User: strings.TrimSpace(f.user.Text), Mailbox: strings.TrimSpace(f.mailbox.Text)}
	if d.Mailbox == "" {
		d.Mailbox = "INBOX"
	}
	if i := f.signIn.SelectedIndex(); i > 0 {
		d.OAuthAccount = f.signIns[i-1].Name
	}
	switch {
	case d.Host == "":
		return nil, "", errors.New("which server should new mail go to? Fill in its Server, or turn off \"Also put new mail into another mailbox\"")
	case d.User == "":
		return nil, "", errors.New("fill in the user name of the other mailbox")
	case d.OAuthAccount == "" && f.pwd.Text == "" && (f.existing == nil || deliver.Target(f.existing).Key() != deliver.Target(d).Key()):
		return nil, "", errors.New("fill in the other mailbox's password (an app password for Gmail)")
	}
	if f.existing != nil {
		d.CAFile, d.Create = f.existing.CAFile, f.existing.Create
		if deliver.Target(f.existing).Key() == deliver.Target(d).Key() {
			d.Since = f.existing.Since // the same target: what waits still waits
		}
	}
	return d, f.pwd.Text, d.Check()
}

// tryDelivery signs in to an account's target and finds its mailbox, for
// Test connection: off the Fyne goroutine.
func (u *UI) tryDelivery(ctx context.Context, a fetch.Account, typed string) error {
	d := a.Deliver
	var creds restore.Credentials
	var err error
	if typed != "" {
		creds = restore.Credentials{Password: typed}
	} else {
		creds, err = deliver.SignInFrom(u.arch, u.creds)(ctx, a)
		if err != nil {
			return err
		}
	}
	_, err = restore.Run(ctx, u.arch, nil, restore.Options{Target: deliver.Target(d), Credentials: creds, Create: d.Create, RootCAs: u.opts.RootCAs, Timeout: 30 * time.Second})
	return err
}

// saveDelivery keeps the target's password and sets when delivery
// starts, before the account is saved: off the Fyne goroutine.
func (u *UI) saveDelivery(a *fetch.Account, typed string) error {
	if a.Deliver == nil {
		return nil
	}
	if a.Deliver.Since.IsZero() {
		since, err := deliver.Since(u.arch, *a, time.Now())
		if err != nil {
			return err
		}
		a.Deliver.Since = since
	}
	if typed != "" {
		return deliver.SetPassword(u.secrets, *a, typed)
	}
	return nil
}

// deliveryLine is what the sidebar says of an account's delivery after
// its last fetch: how many went, how many wait.
func deliveryLine(r fetch.Result) string {
	switch {
	case r.Delivered > 0 && r.Waiting > 0:
		return fmt.Sprintf("%d delivered, %d waiting", r.Delivered, r.Waiting)
	case r.Waiting > 0:
		return fmt.Sprintf("%d waiting to be delivered", r.Waiting)
	case r.Delivered > 0:
		return fmt.Sprintf("%d delivered", r.Delivered)
	}
	return ""
}

func isPresetHost(host string) bool {
	for _, p := range imapPresets {
		if p.host != "" && p.host == host {
			return true
		}
	}
	return false
}
