package ui

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
)

// maxShown caps the body text laid out in the reader; longer bodies are
// cut with a note (the raw source and .eml hold everything), so a huge
// message cannot freeze the window.
const maxShown = 100_000

// reader shows one message: headers, body and attachments.
type reader struct {
	u           *UI
	content     fyne.CanvasObject
	headers     *widget.Form
	from, to    *widget.Label
	cc, date    *widget.Label
	subject     *widget.Label
	body        *widget.Label
	note        *widget.Label
	attachments *fyne.Container
	actions     *fyne.Container
	scroll      *container.Scroll
	view        *archive.View
	opening     uint64
}

func newReader(u *UI) *reader {
	r := &reader{u: u}
	mk := func() *widget.Label {
		l := widget.NewLabel("")
		l.Wrapping = fyne.TextWrapWord
		l.Selectable = true
		return l
	}
	r.from, r.to, r.cc, r.date = mk(), mk(), mk(), mk()
	r.subject = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	r.subject.Wrapping = fyne.TextWrapWord
	r.headers = widget.NewForm(
		widget.NewFormItem("From", r.from), widget.NewFormItem("To", r.to),
		widget.NewFormItem("Cc", r.cc), widget.NewFormItem("Date", r.date))
	r.body = mk()
	r.note = widget.NewLabel("")
	r.note.Importance = widget.WarningImportance
	r.note.Wrapping = fyne.TextWrapWord
	r.attachments = container.NewVBox()
	r.actions = container.NewHBox(
		widget.NewButtonWithIcon("Save as .eml", theme.DocumentSaveIcon(), r.saveEML),
		widget.NewButtonWithIcon("Raw source", theme.FileTextIcon(), r.showRaw),
		widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), r.deleteMessage),
	)
	r.actions.Hide()
	r.headers.Hide()
	page := container.NewVBox(r.subject, r.headers, r.attachments, r.note, widget.NewSeparator(), r.body)
	r.scroll = container.NewVScroll(page)
	empty := widget.NewLabelWithStyle("Select a message to read it.", fyne.TextAlignCenter, fyne.TextStyle{Italic: true})
	r.body.SetText("")
	r.subject.SetText("")
	r.content = container.NewBorder(r.actions, nil, nil, nil, container.NewStack(empty, r.scroll))
	return r
}

// open loads a message off the UI goroutine and shows it.
func (r *reader) open(s *archive.Summary) {
	r.opening = s.ID
	r.u.background(func() func() {
		v, err := r.u.arch.View(s.ID)
		if err == nil && !s.Read {
			r.u.arch.SetRead(s.ID, true)
		}
		return func() {
			if r.opening != s.ID {
				return
			}
			if err != nil {
				r.u.setStatus(fmt.Sprintf("Opening the message failed: %v", err))
				return
			}
			r.show(v)
			if !s.Read {
				r.u.list.markRead(s.ID)
				r.u.refreshCounts()
			}
		}
	})
}

func (r *reader) show(v *archive.View) {
	r.view = v
	r.subject.SetText(orDash(v.Subject))
	r.from.SetText(v.From)
	r.to.SetText(v.To)
	r.cc.SetText(v.Cc)
	r.date.SetText(v.Date.Local().Format(time.RFC1123))
	r.headers.Show()
	text, cut := capText(v.BodyText(), maxShown)
	var notes []string
	if cut {
		notes = append(notes, "This message is long: only its beginning is shown. Raw source and Save as .eml hold all of it.")
	}
	if v.HTML != "" && strings.TrimSpace(v.Text) == "" {
		notes = append(notes, "Shown as text from HTML; no remote content is loaded.")
	}
	notes = append(notes, v.Problems...)
	r.note.SetText(strings.Join(notes, "\n"))
	r.note.Hidden = len(notes) == 0
	r.body.SetText(text)
	r.attachments.Objects = nil
	for _, a := range v.Attachments {
		a := a
		label := fmt.Sprintf("%s (%s)", a.Name, humanSize(a.Size))
		r.attachments.Add(widget.NewButtonWithIcon(label, theme.FileIcon(), func() { r.saveAttachment(a) }))
	}
	r.attachments.Refresh()
	r.actions.Show()
	r.scroll.ScrollToTop()
	r.scroll.Show()
	r.note.Refresh()
}

// capText cuts s to at most n bytes on a rune boundary.
func capText(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n], true
}

func (r *reader) clear() {
	r.view = nil
	r.actions.Hide()
	r.scroll.Hide()
}

func (r *reader) saveAttachment(a archive.Attachment) {
	id := r.view.ID
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		r.u.background(func() func() {
			defer w.Close()
			_, data, err := r.u.arch.Attachment(id, a.Index)
			if err == nil {
				_, err = w.Write(data)
			}
			return func() {
				if err != nil {
					r.u.showError("Saving the attachment failed", err)
				} else {
					r.u.setStatus("Saved " + w.URI().Name())
				}
			}
		})
	}, r.u.win)
	d.SetFileName(a.Name)
	d.Show()
}

func (r *reader) saveEML() {
	if r.view == nil {
		return
	}
	id, name := r.view.ID, emlName(r.view.Subject)
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		r.u.background(func() func() {
			defer w.Close()
			raw, err := r.u.arch.Raw(id)
			if err == nil {
				_, err = w.Write(raw)
			}
			return func() {
				if err != nil {
					r.u.showError("Saving the message failed", err)
				}
			}
		})
	}, r.u.win)
	d.SetFileName(name)
	d.Show()
}

// emlName makes a file name from a subject.
func emlName(subject string) string {
	name := strings.Map(func(c rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, c) || c < 0x20 {
			return '_'
		}
		return c
	}, strings.TrimSpace(subject))
	name, _ = capText(name, 80)
	if name == "" || name[0] == '.' {
		name = "message" + name
	}
	return name + ".eml"
}

func (r *reader) showRaw() {
	if r.view == nil {
		return
	}
	id := r.view.ID
	r.u.background(func() func() {
		raw, err := r.u.arch.Raw(id)
		return func() {
			if err != nil {
				r.u.showError("Reading the message failed", err)
				return
			}
			text, cut := capText(strings.ToValidUTF8(string(raw), "\uFFFD"), maxShown)
			if cut {
				text += "\n\n[… cut here; Save as .eml for all of it]"
			}
			grid := widget.NewTextGridFromString(text)
			w := r.u.app.NewWindow("Raw source")
			w.SetContent(container.NewScroll(grid))
			w.Resize(fyne.NewSize(760, 560))
			w.Show()
		}
	})
}

func (r *reader) deleteMessage() {
	if r.view == nil {
		return
	}
	id := r.view.ID
	dialog.ShowConfirm("Delete message", "Delete this message from the archive? It is not deleted from any server, and fetching will not bring it back.", func(ok bool) {
		if !ok {
			return
		}
		r.u.background(func() func() {
			err := r.u.arch.Delete(id)
			return func() {
				if err != nil {
					r.u.showError("Deleting failed", err)
					return
				}
				r.clear()
				r.u.list.remove(id)
				r.u.refreshCounts()
			}
		})
	}, r.u.win)
}
