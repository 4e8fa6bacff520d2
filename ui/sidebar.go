package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/fetch"
)

// sidebar lists "All mail" and the accounts, each with its counts and
// any error from its last fetch.
type sidebar struct {
	u       *UI
	widget  fyne.CanvasObject
	list    *widget.List
	heights map[widget.ListItemID]float32
}

func newSidebar(u *UI) *sidebar {
	s := &sidebar{u: u, heights: map[widget.ListItemID]float32{}}
	s.list = widget.NewList(
		func() int { return 1 + len(u.accounts) },
		func() fyne.CanvasObject {
			name := widget.NewLabelWithStyle("account", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Truncation = fyne.TextTruncateEllipsis
			counts := widget.NewLabel("0")
			counts.SizeName = theme.SizeNameCaptionText
			problem := widget.NewLabel("")
			problem.Importance = widget.DangerImportance
			problem.Truncation = fyne.TextTruncateEllipsis
			problem.SizeName = theme.SizeNameCaptionText
			signIn := widget.NewButton("Sign in again", nil)
			signIn.Importance = widget.HighImportance
			signIn.Hide()
			return container.New(layout.NewCustomPaddedVBoxLayout(-2*theme.Padding()), name, counts, problem, signIn)
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
	s.widget = container.NewBorder(nil, container.NewGridWithColumns(2, edit, remove), nil, nil, s.list)
	return s
}

func (s *sidebar) update(id widget.ListItemID, o fyne.CanvasObject) {
	rows := o.(*fyne.Container).Objects
	name, counts, problem := rows[0].(*widget.Label), rows[1].(*widget.Label), rows[2].(*widget.Label)
	signIn := rows[3].(*widget.Button)
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
	problem.SetText(s.u.problems[key])
	problem.Hidden = problem.Text == ""
	if key != "" && s.u.needsSignIn[key] {
		signIn.OnTapped = func() { s.u.signInAgain(key) }
		signIn.Show()
	} else {
		signIn.Hide()
	}
	// The row's height follows the button (and the problem's line); a
	// List keeps each row's, and refreshes on a change, so only a change.
	if h := o.MinSize().Height; s.heights[id] != h {
		s.heights[id] = h
		s.list.SetItemHeight(id, h)
	}
}

func (s *sidebar) refresh() { s.list.Refresh() }

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
				serr = creds.Forget(a)
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
	keep := widget.NewButton("Remove, keep its mail", func() { remove(archive.KeepMail) })
	drop := widget.NewButton("Remove with its mail", func() { remove(archive.DeleteMail) })
	drop.Importance = widget.DangerImportance
	msg := widget.NewLabel(fmt.Sprintf("Remove the account %q? Its mail can stay in the archive, or go with it. Nothing changes on the server.", name))
	msg.Wrapping = fyne.TextWrapWord
	d = dialog.NewCustom("Remove account", "Cancel", container.NewVBox(msg, keep, drop), u.win)
	d.Resize(fyne.NewSize(420, 220))
	d.Show()
}
