// Package ui is popvault's Fyne window: a sidebar of accounts, a
// virtualized message list with search, a reader, the account dialog,
// fetching with progress, settings for export and import, and copying
// mail back to an IMAP mailbox. It is the
// only package that imports Fyne. It holds no mail logic of its own: it
// calls the fetch and archive packages off the UI goroutine and shows
// their results through onUI (fyne.Do).
package ui

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/credentials"
	"popvault/fetch"
	"popvault/handoff"
	"popvault/health"
	"popvault/internal/motw"
	"popvault/render"
	"popvault/render/remoteimg"
	"popvault/schedule"
)

// AppID is the application's identifier; it matches FyneApp.toml so that
// preferences and storage land in the same place however the app starts.
const AppID = "io.popvault.app"

// Options configure the window.
type Options struct {
	ArchivePath string              // empty: archive.DefaultPath()
	Secrets     credentials.Secrets // nil: the OS keyring with a file fallback
	// TokenCommands: nil means those set on this machine (credentials.ConfigDir).
	TokenCommands *credentials.TokenCommands
	RootCAs       *x509.CertPool
	// Prefill, when set, opens the account dialog filled in (the demo).
	Prefill *fetch.Account
	// PrefillPassword goes with Prefill.
	PrefillPassword string
	// OAuth keeps OAuth sign-ins; nil means the keyring (credentials.NewOAuthStore).
	OAuth *credentials.OAuthStore
	// OpenURL opens an address in the browser; nil means Fyne's OpenURL.
	// Tests play the browser with it.
	OpenURL func(string) error
	// Serve, when set, runs a command that another popvault hands to the
	// window (package handoff: a scheduled fetch, list, status) on the
	// window's archive, and returns its exit status. health.go listens.
	Serve Serve
	// OpenAccount, when set, is the account shown first (a notification's
	// click: --open-account).
	OpenAccount string
	// Scheduler installs the job that backs up when popvault is closed;
	// nil is the system's (schedule.New). Exe is the program the job
	// runs; "" is os.Executable(). Tests set both.
	Scheduler *schedule.Scheduler
	Exe       string
	// RemotePictures configures loading pictures on the web; the zero
	// value is what popvault uses (tests trust their own server).
	RemotePictures remoteimg.Options
}

// UI is the running window. Its fields are touched only on the Fyne
// goroutine, except where noted.
type UI struct {
	app  fyne.App
	win  fyne.Window
	opts Options

	arch    *archive.Archive        // safe from any goroutine
	secrets credentials.Secrets     // safe from any goroutine
	oauth   *credentials.OAuthStore // safe from any goroutine
	creds   *credentials.Store      // the two above and the token commands; safe from any goroutine
	fetcher *fetch.Fetcher
	sched   *fetch.Scheduler

	accounts []fetch.Account
	counts   map[string]archive.Counts
	problems map[string]string // account → last error, readable
	// deliveries: account → what its last fetch delivered and left
	// waiting, for an account that delivers (delivery.go)
	deliveries map[string]string
	// notes: account → its standing note, no failure (a message its
	// delivery target refuses for good), shown where a problem would be.
	notes map[string]string
	// needsSignIn: accounts whose OAuth sign-in must be done again, which
	// their row in the sidebar offers.
	needsSignIn map[string]bool
	health      map[string]health.Record // each account's record of fetches (health.go)
	handoff     *handoff.Server          // commands other popvaults hand over (health.go); safe from any goroutine
	banner      *healthBanner            // stale or failing backups (health.go)
	fixes       map[string]explained     // account → its last failure's fix and details
	firstRun    string                   // the account whose first fetch ends in a summary
	// lastAccountForm is the account dialog opened last, for tests.
	lastAccountForm *accountForm
	selected        string // account shown; "" for all mail

	sidebar     *sidebar
	list        *messageList
	reader      *reader
	search      *searchEntry
	bar         *fetchBar
	status      *widget.Label
	round       []roundResult   // the results of the fetches under way, for status
	asking      *askDialog      // the delete dialog, while it is open
	dialog      *keyedDialog    // the dialog the keyboard answers (see showDialog)
	tray        bool            // a tray icon shows: closing may hide the window
	quit        func()          // the app's Quit
	ctx         context.Context // ends at Close, and with it the goroutines that watch indexing
	cancel      context.CancelFunc
	content     fyne.CanvasObject
	welcome     fyne.CanvasObject // the first run's way in, over the list and the reader: showFirstRun
	mailStack   *fyne.Container   // the list and the reader, with the welcome over them
	fetchButton *widget.Button
	copyButton  *widget.Button // Copy to IMAP…: nothing to copy in an empty archive

	pictureLoader *remoteimg.Loader // made on first use (see loader)

	pagesMu sync.Mutex
	pages   string // the private folder (privateDir), once made

	closeOnce sync.Once
}

// New opens the archive and builds the window's content.
func New(a fyne.App, w fyne.Window, opts Options) (*UI, error) {
	if opts.ArchivePath == "" {
		opts.ArchivePath = archive.DefaultPath()
	}
	if err := os.MkdirAll(filepath.Dir(opts.ArchivePath), 0o700); err != nil {
		return nil, err
	}
	arch, err := archive.Open(opts.ArchivePath, nil)
	if err != nil {
		return nil, err
	}
	u := &UI{app: a, win: w, opts: opts, arch: arch, counts: map[string]archive.Counts{}, problems: map[string]string{}, deliveries: map[string]string{}, notes: map[string]string{},
		needsSignIn: map[string]bool{}, fixes: map[string]explained{}, quit: a.Quit}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	u.secrets = opts.Secrets
	if u.secrets == nil {
		u.secrets = credentials.NewSecrets(credentials.SecretsOptions{
			OldFile: filepath.Join(filepath.Dir(opts.ArchivePath), "secrets.json"),
			Warn:    func(msg string) { onUI(func() { u.setStatus(msg) }) },
		})
	}
	u.oauth = opts.OAuth
	if u.oauth == nil {
		u.oauth = credentials.NewOAuthStore(credentials.OAuthStoreOptions{Warn: func(msg string) { onUI(func() { u.setStatus(msg) }) }})
	}
	tokens := opts.TokenCommands
	if tokens == nil {
		tokens = credentials.NewTokenCommands("")
	}
	u.creds = &credentials.Store{Passwords: u.secrets, TokenCommands: tokens, OAuth: u.oauth}
	u.build()
	u.startFetcher()
	u.reloadAccounts()
	u.watchHealth()
	u.watchIndex()
	go func() {
		// Mail stored before references were kept threads by them once
		// this has read them.
		if n, err := u.arch.BackfillParents(u.ctx); err == nil && n > 0 {
			onUI(func() {
				if u.list.threaded {
					u.list.reload()
				}
			})
		}
	}()
	return u, nil
}

// watchIndex brings the full-text index up to date in the background and
// says how far it is while it works. (A search on screen that missed
// unindexed mail runs again by itself: see againWhenIndexed.)
func (u *UI) watchIndex() {
	u.arch.SearchIndex().Start()
	go func() {
		busy := false
		tick := time.NewTicker(2 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-u.ctx.Done():
				return
			case <-tick.C:
			}
			left, err := u.arch.SearchIndex().Status()
			switch {
			case err != nil:
				onUI(func() { u.setStatus(fmt.Sprintf("Search index: %v (popvault reindex rebuilds it)", err)) })
			case left > 0:
				busy = true
				onUI(func() {
					if u.search.Text == "" { // else the line counts the search's matches
						u.setStatus(fmt.Sprintf("Indexing mail for search: %d messages left", left))
					}
				})
			case busy:
				busy = false
				// Indexing left its garbage and bleve's buffers behind.
				debug.FreeOSMemory()
				onUI(func() {
					if u.search.Text == "" {
						u.setStatus("Search index up to date")
					}
				})
			}
		}
	}()
}

// Content is the window's content.
func (u *UI) Content() fyne.CanvasObject { return u.content }

// Close stops background checks and closes the archive, only after the
// scheduler's fetches have ended: a fetch still storing would find it
// closed under it.
// A second Close does nothing.
func (u *UI) Close() {
	u.closeOnce.Do(func() {
		u.stopHandOff() // before the archive closes: it waits for the commands it runs
		u.sched.Stop()
		u.cancel()
		u.arch.Close()
		u.pagesMu.Lock()
		if u.pages != "" {
			os.RemoveAll(u.pages)
		}
		u.pagesMu.Unlock()
	})
}

// privateDir is a folder only this user can enter, for the pages and
// attachments handed to other programs: made on first use (MkdirTemp
// makes it 0700) and removed at Close.
func (u *UI) privateDir() (string, error) {
	u.pagesMu.Lock()
	defer u.pagesMu.Unlock()
	if u.pages == "" {
		dir, err := os.MkdirTemp("", "popvault-")
		if err != nil {
			return "", err
		}
		u.pages = dir
	}
	return u.pages, nil
}

// writePage writes v's HTML as a page for the browser (render.Page: safe,
// its own pictures embedded) into the private folder, and returns the
// file's path.
func (u *UI) writePage(v *archive.View) (string, error) {
	dir, err := u.privateDir()
	if err != nil {
		return "", err
	}
	byCID := map[string]int{}
	for _, a := range v.Attachments {
		if a.ContentID != "" {
			byCID[a.ContentID] = a.Index
		}
	}
	page := render.Page(v.Subject, v.HTML, func(cid string) (string, []byte, bool) {
		i, ok := byCID[cid]
		if !ok {
			return "", nil, false
		}
		att, data, err := u.arch.Attachment(v.ID, i)
		return att.ContentType, data, err == nil
	})
	path := filepath.Join(dir, fmt.Sprintf("message-%d.html", v.ID))
	if err := os.WriteFile(path, page, 0o600); err != nil {
		return "", err
	}
	return path, motw.Mark(path) // mail is from the Internet, its page too
}

func (u *UI) build() {
	u.status = widget.NewLabel("")
	u.status.Truncation = fyne.TextTruncateEllipsis
	u.search = newSearchEntry()
	u.search.onEscape = u.escape
	u.search.SetPlaceHolder(`Search: words, "a phrase", from:ann, subject:, has:attachment, after:2024-01-31`)
	u.search.OnChanged = func(string) { u.list.reloadSoon() }
	u.search.OnSubmitted = func(string) { u.list.openFirst() }
	u.reader = newReader(u)
	u.list = newMessageList(u)
	u.sidebar = newSidebar(u)
	u.bar = newFetchBar(u)
	u.fetchButton = widget.NewButtonWithIcon("Fetch", theme.DownloadIcon(), func() { u.fetchNow() })
	u.fetchButton.Importance = widget.HighImportance
	u.fetchButton.Disable() // until there is an account
	u.copyButton = widget.NewButtonWithIcon("Copy to IMAP…", theme.UploadIcon(), func() { u.showRestoreDialog() })
	u.copyButton.Disable() // until there is mail
	toolbar := container.NewHBox(u.fetchButton,
		widget.NewButtonWithIcon("Add account", theme.ContentAddIcon(), func() { u.showAccountDialog(nil) }),
		u.copyButton,
		widget.NewButtonWithIcon("", theme.SettingsIcon(), func() { u.showSettings() }),
	)
	top := container.NewVBox(container.NewBorder(nil, nil, toolbar, nil, u.search), u.newHealthBanner())
	middle := container.NewHSplit(u.list.content, u.reader.content)
	middle.SetOffset(0.45)
	u.welcome = newWelcome(u)
	u.welcome.Hide()
	u.mailStack = container.NewStack(middle, u.welcome)
	main := container.NewHSplit(u.sidebar.widget, u.mailStack)
	main.SetOffset(0.2)
	bottom := container.NewBorder(nil, nil, nil, nil, container.NewVBox(u.bar.content, u.status))
	u.content = container.NewBorder(top, bottom, nil, nil, main)
	u.shortcuts()
	u.win.SetMainMenu(u.mainMenu())
	u.win.SetOnDropped(u.dropped)
}

// background runs work off the UI goroutine and hands its result back.
func (u *UI) background(work func() func()) {
	go func() {
		apply := work()
		if apply != nil {
			onUI(apply)
		}
	}()
}

func (u *UI) setStatus(s string) { u.status.SetText(s) }

// showError shows an error as a sentence in a dialog.
func (u *UI) showError(context string, err error) {
	u.setStatus(fmt.Sprintf("%s: %v", context, err))
	// Fyne's error dialog, built of a dialogButton (see dialogkeys.go).
	text := []rune(context + ": " + err.Error())
	text[0] = unicode.ToUpper(text[0])
	d := u.textDialog("Error", string(text), theme.ErrorIcon())
	d.SetButtons([]fyne.CanvasObject{u.dialogButton("OK", d.Hide)})
	u.fitText(d, string(text))
	u.showDialog(d, nil)
}

// reloadAccounts rereads accounts and counts, then refreshes the sidebar
// and the list.
func (u *UI) reloadAccounts() { u.reloadAccountsThen(nil) }

// reloadAccountsThen is reloadAccounts, then runs then (on the UI
// goroutine) once the window holds the accounts read.
func (u *UI) reloadAccountsThen(then func()) {
	u.background(func() func() {
		accts, err := fetch.LoadAccounts(u.arch)
		counts, cerr := u.arch.Count()
		notes := deliveryNotes(u.arch, accts)
		return func() {
			if err != nil || cerr != nil {
				u.setStatus(fmt.Sprintf("Reading the archive failed: %v %v", err, cerr))
				return
			}
			u.accounts, u.counts, u.notes = accts, counts, notes
			u.sched.SetAccounts(accts)
			u.sidebar.refresh()
			u.list.reload()
			u.openRequested() // health.go
			u.updateBanner()
			u.showFirstRun()
			if then != nil {
				then()
			}
		}
	})
}

// refreshCounts rereads the counts only.
func (u *UI) refreshCounts() {
	accts := u.accounts
	u.background(func() func() {
		counts, err := u.arch.Count()
		notes := deliveryNotes(u.arch, accts)
		return func() {
			if err == nil {
				u.counts, u.notes = counts, notes
				u.sidebar.refresh()
				u.showFirstRun()
			}
		}
	})
}
