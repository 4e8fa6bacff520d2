package ui

import (
	"cmp"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/deliver"
	"popvault/fetch"
	"popvault/health"
)

// sidebar lists "All mail" and the accounts, each with its counts and
// any error from its last fetch.
type sidebar struct {
	u            *UI
	edit, remove *widget.Button // for an account: not for All mail
	widget       fyne.CanvasObject
	list         *ringList // focusring.go: Tab shows where it is
	heights      map[widget.ListItemID]float32
}

func newSidebar(u *UI) *sidebar {
	s := &sidebar{u: u, heights: map[widget.ListItemID]float32{}}
	s.list = newRingList(
		func() int { return 1 + len(u.accounts) },
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("account", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			counts := widget.NewLabel("0")
			counts.SizeName = theme.SizeNameCaptionText
			// A failure is said whole (wrapped, never cut off), with its
			// fix and the server's own words beside it.
			problem := widget.NewLabel("")
			problem.Importance = widget.DangerImportance
			problem.Wrapping = fyne.TextWrapWord
			problem.SizeName = theme.SizeNameCaptionText
			fix := widget.NewButton("", nil)
			fix.Importance = widget.HighImportance
			details := widget.NewButton("Details", nil)
			details.Importance = widget.LowImportance
			buttons := container.NewHBox(fix, details)
			buttons.Hide()
			return container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), name, counts, problem, buttons)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) { s.update(id, o) },
	)
	// All mail starts selected. Selecting it before the handler is set
	// leaves the first listing to New's reloadAccounts: selecting after
	// listed a 100,000-message archive twice on every start.
	s.list.Select(0)
	s.list.OnSelected = func(id widget.ListItemID) {
		u.selected = ""
		if id > 0 && id <= len(u.accounts) {
			u.selected = u.accounts[id-1].Name
		}
		u.reader.clear()
		u.list.reload()
		s.enableButtons()
	}
	edit := widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() {
		if a := u.selectedAccount(); a != nil {
			u.showAccountDialog(a)
		}
	})
	remove := widget.NewButtonWithIcon("Remove", theme.ContentRemoveIcon(), func() {
		if a := u.selectedAccount(); a != nil {
			u.confirmRemove(a.Name)
		}
	})
	s.edit, s.remove = edit, remove
	s.enableButtons()
	s.widget = container.NewBorder(nil, container.NewGridWithColumns(2, edit, remove), nil, nil, s.list)
	return s
}

// enableButtons enables Edit and Remove while an account is selected:
// All mail is not one.
func (s *sidebar) enableButtons() {
	if s.u.selectedAccount() != nil {
		s.edit.Enable()
		s.remove.Enable()
	} else {
		s.edit.Disable()
		s.remove.Disable()
	}
}

func (s *sidebar) update(id widget.ListItemID, o fyne.CanvasObject) {
	rows := o.(*fyne.Container).Objects
	name, counts, problem := rows[0].(*widget.Label), rows[1].(*widget.Label), rows[2].(*widget.Label)
	buttons := rows[3].(*fyne.Container)
	fix, details := buttons.Objects[0].(*widget.Button), buttons.Objects[1].(*widget.Button)
	key := ""
	name.SetText("All mail")
	if id > 0 && id <= len(s.u.accounts) {
		key = s.u.accounts[id-1].Name
		name.SetText(key)
	}
	c := s.u.counts[key]
	if c.Unread > 0 {
		counts.SetText(fmt.Sprintf("%d messages, %d unread", c.Total, c.Unread))
	} else {
		counts.SetText(fmt.Sprintf("%d messages", c.Total))
	}
	counts.SetText(counts.Text + s.u.healthNote(key))
	if d := s.u.deliveries[key]; d != "" {
		counts.SetText(counts.Text + "; " + d)
	}
	problem.Importance = widget.DangerImportance
	if s.u.problems[key] == "" && s.u.notes[key] != "" {
		problem.Importance = widget.WarningImportance // standing, no failure
	}
	problem.SetText(cmp.Or(s.u.problems[key], s.u.notes[key]))
	problem.Hidden = problem.Text == ""
	e, failed := s.u.fixes[key]
	if key == "" || !failed || (e.action == "" && e.detail == "") {
		buttons.Hide()
	} else {
		fix.SetText(e.action)
		fix.OnTapped = func() { s.u.applyFix(key, e) }
		fix.Hidden = e.action == ""
		details.OnTapped = func() { s.u.showDetails(key, e) }
		details.Hidden = e.detail == ""
		buttons.Show()
	}
	// The row's height follows the button (and the problem's line); a
	// List keeps each row's, and refreshes on a change, so only a change.
	if h := o.MinSize().Height; s.heights[id] != h {
		s.heights[id] = h
		s.list.SetItemHeight(id, h)
	}
}

func (s *sidebar) refresh() { s.list.Refresh() }

// applyFix does what an account's failure offers: the account dialog at
// the password (with where the provider makes app passwords), a sign-in
// in the browser, or the provider's page where POP is turned on.
func (u *UI) applyFix(name string, e explained) {
	switch e.fix {
	case health.FixSignIn:
		u.signInAgain(name)
	case health.FixPassword, health.FixSettings:
		for i := range u.accounts {
			if u.accounts[i].Name != name {
				continue
			}
			f := u.showAccountDialog(&u.accounts[i])
			if e.fix == health.FixPassword {
				u.win.Canvas().Focus(f.password)
				if e.link != "" {
					setNote(f.note, "Make an app password at "+e.link+" and type it here.")
				}
			}
		}
	case health.FixProvider:
		if err := u.openURL(e.link); err != nil {
			u.showError("The browser did not open", fmt.Errorf("%w: open %s yourself", err, e.link))
		}
	}
}

// showDetails shows a failure's own words (the server's answer), which a
// person can copy into a search or a message to their provider.
func (u *UI) showDetails(name string, e explained) {
	words := widget.NewLabel(e.words)
	words.Wrapping = fyne.TextWrapWord
	// A copyField, not a selectable Label: that is a Tab stop where
	// Escape does nothing.
	detail := newCopyField("what the server said", e.detail, u.copyText, u.windowKey)
	detail.label.Wrapping = fyne.TextWrapBreak
	d := u.custom(name, "Close", container.NewVBox(words, widget.NewLabel("What the server or the system said:"), detail))
	d.Resize(fyne.NewSize(460, 260))
	u.showDialog(d, nil)
}

func (u *UI) selectedAccount() *fetch.Account {
	for i := range u.accounts {
		if u.accounts[i].Name == u.selected {
			return &u.accounts[i]
		}
	}
	return nil
}

// confirmRemove asks whether to keep the account's mail, then removes it.
func (u *UI) confirmRemove(name string) {
	var d dialog.Dialog
	var acct *fetch.Account
	for i := range u.accounts {
		if u.accounts[i].Name == name {
			acct = &u.accounts[i]
		}
	}
	if acct == nil {
		return
	}
	a, creds := *acct, u.credentials()
	remove := func(mail archive.MailChoice) {
		d.Hide()
		u.background(func() func() {
			err := u.arch.Account(name).Remove(mail)
			var serr error
			if err == nil {
				// The other mailbox's password too (docs/delivery.md).
				serr = errors.Join(creds.Forget(a), deliver.Forget(creds, a))
			}
			return func() {
				if err != nil {
					u.showError("Removing the account failed", err)
					return
				}
				if serr != nil {
					u.showError(fmt.Sprintf("Removed %s, but not everything it signed in with could be deleted from this machine", name), serr)
				}
				u.selected = ""
				u.sidebar.list.Select(0)
				u.setStatus("Removed " + name)
				u.reloadAccounts()
			}
		})
	}
	keep := u.dialogButton("Remove, keep its mail", func() { remove(archive.KeepMail) })
	drop := u.dialogButton("Remove with its mail", func() { remove(archive.DeleteMail) })
	drop.Importance = widget.DangerImportance
	msg := widget.NewLabel(fmt.Sprintf("Remove the account %q? Its mail can stay in the archive, or go with it. Nothing changes on the server.", name))
	msg.Wrapping = fyne.TextWrapWord
	c := u.custom("Remove account", "Cancel", container.NewVBox(msg, keep, drop))
	c.Resize(fyne.NewSize(420, 220))
	d = c
	u.showDialog(d, nil)
}
