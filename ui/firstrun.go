package ui

import (
	"fmt"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"popvault/fetch"
)

// newWelcome is what an empty window shows instead of an empty list and
// reader: one way in ("Back up a mailbox"), and importing mail files.
func newWelcome(u *UI) fyne.CanvasObject {
	title := widget.NewLabelWithStyle("Keep your own copy of your mail", fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	text := widget.NewLabel("popvault downloads a mailbox's mail (Gmail, Outlook.com, your provider's) into one archive on this computer, " +
		"and then checks for new mail by itself. Nothing is deleted on the server unless you choose so.")
	text.Wrapping = fyne.TextWrapWord
	text.Alignment = fyne.TextAlignCenter
	start := widget.NewButtonWithIcon("Back up a mailbox", theme.MailComposeIcon(), func() { u.showProviderChoice() })
	start.Importance = widget.HighImportance
	files := widget.NewLabel("Mail saved as .eml files, an mbox or a Maildir? Drop it on this window, or:")
	files.Wrapping = fyne.TextWrapWord
	files.Alignment = fyne.TextAlignCenter
	importFiles := widget.NewButton("Import mail files…", u.chooseImportFile)
	importFolder := widget.NewButton("Import a folder…", u.chooseImportFolder)
	box := container.NewVBox(title, text, container.NewCenter(start), widget.NewSeparator(), files,
		container.NewCenter(container.NewHBox(importFiles, importFolder)))
	// Over the empty list and reader, which stay as they are beneath:
	// mail stored by any way at all shows the moment the welcome goes.
	cover := canvas.NewRectangle(theme.Color(theme.ColorNameBackground))
	return container.NewStack(cover, container.New(centred{width: 520}, box))
}

// centred lays its one object out in the middle, at most width wide, and
// asks for no room itself: the welcome never widens the window's panes,
// which stay laid out beneath it.
type centred struct{ width float32 }

func (c centred) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.Size{} }

func (c centred) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objects {
		w := min(c.width, size.Width)
		o.Resize(fyne.NewSize(w, o.MinSize().Height))
		h := o.MinSize().Height // at this width, wrapped
		o.Resize(fyne.NewSize(w, h))
		o.Move(fyne.NewPos((size.Width-w)/2, max(0, (size.Height-h)/2)))
	}
}

// showFirstRun shows the welcome while the archive is empty and has no
// account, and enables what can do something: Fetch needs an account,
// Copy to IMAP mail.
func (u *UI) showFirstRun() {
	empty := len(u.accounts) == 0 && u.counts[""].Total == 0
	if empty != u.welcome.Visible() {
		// A container's Show and Hide draw nothing by themselves.
		if empty {
			u.welcome.Show()
		} else {
			u.welcome.Hide()
		}
		u.mailStack.Refresh()
	}
	if len(u.accounts) == 0 {
		u.fetchButton.Disable()
	} else {
		u.fetchButton.Enable()
	}
	if u.counts[""].Total == 0 {
		u.copyButton.Disable()
	} else {
		u.copyButton.Enable()
	}
	u.sidebar.enableButtons()
}

// showProviderChoice asks where the mail is, then opens the account
// dialog at that provider's steps. A first account checks every hour and
// is fetched as soon as it is saved, ending in a summary.
func (u *UI) showProviderChoice() {
	var d dialog.Dialog
	why := widget.NewLabel("")
	why.Wrapping = fyne.TextWrapWord
	why.Importance = widget.DangerImportance
	why.Hide()
	grid := container.NewGridWithColumns(2)
	for i, p := range providers {
		b := u.dialogButton(p.name, func() {
			if p.noPOP {
				setNote(why, p.steps[0].text)
				return
			}
			d.Hide()
			f := u.showAccountDialog(nil)
			f.provider.SetSelectedIndex(i)
			if len(u.accounts) == 0 {
				f.check.SetSelectedIndex(f.checkEvery.index(60))
				f.onSaved = func(a fetch.Account) { u.firstFetch(a) }
			}
			u.win.Canvas().Focus(f.email)
		})
		grid.Add(b)
	}
	ask := widget.NewLabel("Where is the mail you want to keep?")
	c := u.custom("Back up a mailbox", "Cancel", container.NewVBox(ask, grid, why))
	c.Resize(fyne.NewSize(480, 300))
	d = c
	u.showDialog(d, nil)
}

// firstFetch fetches a new account at once; fetched shows its summary.
func (u *UI) firstFetch(a fetch.Account) {
	u.firstRun = a.Name
	u.sched.FetchNow(a.Name)
	u.bar.show(fetch.Progress{Account: starting, Stage: fetch.StageConnecting})
}

// firstSummary says how the first fetch of an account went, in one
// sentence: "12,408 messages backed up from Gmail; next check in an
// hour."
func firstSummary(r fetch.Result, a fetch.Account) string {
	if r.Err != nil {
		return explainFetch(a, r.Err).words + "."
	}
	s := fmt.Sprintf("%s backed up from %s", plural(r.New, "message"), r.Account)
	if r.More {
		s += "; more waits on the server, and the next check brings it"
	}
	switch m := a.CheckEveryMinutes; {
	case m == 0:
		s += "; press Fetch for new mail"
	case m == 60:
		s += "; next check in an hour"
	case m%60 == 0:
		s += fmt.Sprintf("; next check in %d hours", m/60)
	default:
		s += fmt.Sprintf("; next check in %d minutes", m)
	}
	return s + "."
}

// plural is "1 message", "12,408 messages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return thousands(n) + " " + noun + "s"
}

// thousands writes n with commas: 12,408.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// showFirstSummary shows the first fetch's summary where it cannot be
// missed, with the fix when it failed.
func (u *UI) showFirstSummary(r fetch.Result) {
	a := u.accountNamed(r.Account)
	text := firstSummary(r, a)
	u.setStatus(text)
	msg := widget.NewLabel(text)
	msg.Wrapping = fyne.TextWrapWord
	content := container.NewVBox(msg)
	if r.Err != nil {
		if e := explainFetch(a, r.Err); e.action != "" {
			var d dialog.Dialog
			fix := u.dialogButton(e.action, func() { d.Hide(); u.applyFix(r.Account, e) })
			fix.Importance = widget.HighImportance
			content.Add(fix)
			c := u.custom("The first backup", "Close", content)
			c.Resize(fyne.NewSize(440, 180))
			d = c
			u.showDialog(d, nil)
			return
		}
	}
	d := u.custom("The first backup", "Close", content)
	d.Resize(fyne.NewSize(440, 160))
	u.showDialog(d, nil)
}
