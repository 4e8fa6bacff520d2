package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/oauth2"

	"popvault/credentials"
	"popvault/fetch"
	"popvault/oauth"
)

// openURL shows an address in the system browser: Fyne's OpenURL (xdg-open
// on Linux, the default browser elsewhere).
func (u *UI) openURL(address string) error {
	if u.opts.OpenURL != nil {
		return u.opts.OpenURL(address)
	}
	parsed, err := url.Parse(address)
	if err != nil {
		return err
	}
	onUI(func() { u.app.OpenURL(parsed) })
	return nil
}

// signIn runs a browser sign-in off the UI goroutine, with a dialog that
// waits for the browser, shows the address for a browser that did not
// open, and cancels; done gets the token, on the UI goroutine. Only a
// person's press of a button starts one: a periodic check never does.
func (u *UI) signIn(client oauth.Client, loginHint string, done func(*oauth2.Token, error)) {
	ctx, cancel := context.WithCancel(u.ctx)
	// The address to copy, should no browser open: a copyField, where a
	// selectable Label would be a Tab stop that drops Escape.
	address := newCopyField("the address", "", u.copyText, u.windowKey)
	address.label.Wrapping = fyne.TextWrapBreak
	address.Hide()
	note := widget.NewLabel("Your browser shows the provider's page: sign in there and allow popvault to read your mail. Nothing else to do here; this closes by itself.")
	note.Wrapping = fyne.TextWrapWord
	d := u.custom("Signing in", "Cancel", container.NewVBox(note, address))
	d.SetOnClosed(cancel)
	d.Resize(fyne.NewSize(520, 260))
	u.showDialog(d, nil)
	go func() {
		tok, err := oauth.SignIn(ctx, client, oauth.SignInOptions{
			LoginHint:  loginHint,
			HTTPClient: u.oauth.HTTPClient,
			Open:       u.openURL,
			Show: func(a string) {
				onUI(func() {
					address.label.SetText("If no browser opened, open this address:\n" + a)
					address.Show()
				})
			},
		})
		onUI(func() {
			d.Hide()
			if errors.Is(err, context.Canceled) {
				err = errors.New("signing in was cancelled")
			}
			done(tok, err)
		})
	}()
}

// signInAgain signs an account in again after its sign-in was revoked or
// expired, or on a machine where it never signed in, and fetches it.
func (u *UI) signInAgain(name string) {
	var acct *fetch.Account
	for i := range u.accounts {
		if u.accounts[i].Name == name {
			acct = &u.accounts[i]
		}
	}
	if acct == nil {
		return
	}
	a := *acct
	u.background(func() func() {
		client, err := u.oauth.Client(a)
		if built, ok := oauth.BuiltIn(a.OAuth); err != nil && ok {
			client, err = built, nil
		}
		return func() {
			if err != nil {
				// Nothing to sign in with here: the dialog asks for the app.
				u.setStatus(fmt.Sprintf("%s: sign in with your app's client on this machine", a.Name))
				u.showAccountDialog(&a)
				return
			}
			u.signIn(client, accountHint(a), func(tok *oauth2.Token, err error) {
				if err != nil {
					u.showError("Signing in failed", err)
					return
				}
				u.background(func() func() {
					err := u.oauth.Save(a, credentials.NewSignIn(client, tok))
					return func() {
						if err != nil {
							u.showError("Keeping the sign-in failed", err)
							return
						}
						delete(u.needsSignIn, a.Name)
						delete(u.problems, a.Name)
						delete(u.fixes, a.Name)
						u.sidebar.refresh()
						u.setStatus("Signed in to " + a.Name)
						u.sched.FetchNow(a.Name)
					}
				})
			})
		}
	})
}

// accountHint is the address an account signs in as.
func accountHint(a fetch.Account) string {
	if a.Email != "" {
		return a.Email
	}
	return a.User
}
