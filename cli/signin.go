package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"popvault/credentials"
	"popvault/fetch"
	"popvault/oauth"
)

// oauthFlags are how account add and account signin learn the app that
// signs in: a provider, and its client (or a build's default).
type oauthFlags struct {
	provider          string
	clientSecretFile  string
	clientID          string
	clientSecretStdin bool
	clientSecretArg   bool // the old --client-secret, refused
	authURL           string
	tokenURL          string
	scopes            repeated
	noBrowser         bool
}

func (o *oauthFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&o.provider, "oauth", "", "sign in with OAuth instead of a password: google, microsoft or custom")
	fs.StringVar(&o.clientSecretFile, "client-secret-file", "", "with --oauth google: the client_secret_*.json of your Google Cloud OAuth client (Desktop app)")
	fs.StringVar(&o.clientID, "client-id", "", "with --oauth: the app's client ID (Microsoft: the application (client) ID)")
	fs.BoolVar(&o.clientSecretStdin, "client-secret-stdin", false, "with --oauth custom (or google with --client-id): read the app's client secret from the first line of standard input")
	fs.Var(refusedFlag{&o.clientSecretArg}, "client-secret", "no longer taken: every user of this machine sees a command line (ps); use --client-secret-stdin")
	fs.StringVar(&o.authURL, "auth-url", "", "with --oauth custom: the authorization address")
	fs.StringVar(&o.tokenURL, "token-url", "", "with --oauth custom: the token address")
	fs.Var(&o.scopes, "scope", "with --oauth custom: a scope to ask for (repeatable)")
	fs.BoolVar(&o.noBrowser, "no-browser", false, "with --oauth: do not open a browser; print the address to open instead")
}

// refusedFlag takes a flag that is no longer taken, and notes that it
// was given: its value, a secret, is never repeated in the error.
type refusedFlag struct{ given *bool }

func (f refusedFlag) String() string   { return "" }
func (f refusedFlag) Set(string) error { *f.given = true; return nil }

// refused says why a flag given is no longer taken; commands call it
// once their flags are read, before anything else.
func (o *oauthFlags) refused() error {
	if o.clientSecretArg {
		return errClientSecretArg
	}
	return nil
}

var errClientSecretArg = errors.New("--client-secret is no longer taken: a command line is seen by every user of this machine (ps). Write the secret to standard input and give --client-secret-stdin, for example: popvault ... --client-secret-stdin < secret.txt")

// clientSecret reads the client secret from stdin's first line, when
// --client-secret-stdin says so.
func (o *oauthFlags) clientSecret(stdin io.Reader) (string, error) {
	if err := o.refused(); err != nil {
		return "", err
	}
	if !o.clientSecretStdin {
		return "", nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("--client-secret-stdin: nothing on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// client is the app the flags name (its secret, if any, read from
// stdin), or else the one kept for acct, or else the build's own: see
// oauth.Choice, which the window's account dialog uses too.
func (o *oauthFlags) client(store *credentials.OAuthStore, acct fetch.Account, stdin io.Reader) (oauth.Client, error) {
	secret, err := o.clientSecret(stdin)
	if err != nil {
		return oauth.Client{}, err
	}
	choice := oauth.Choice{Provider: o.provider, ClientID: o.clientID, ClientSecret: secret,
		AuthURL: o.authURL, TokenURL: o.tokenURL, Scopes: o.scopes,
		Kept: func() *oauth.Client {
			if kept, err := store.Client(acct); err == nil {
				return &kept
			}
			return nil
		}}
	if o.provider == oauth.ProviderGoogle && o.clientSecretFile != "" {
		if choice.GoogleFile, err = os.ReadFile(o.clientSecretFile); err != nil {
			return oauth.Client{}, fmt.Errorf("--client-secret-file: %w", err)
		}
	}
	c, err := choice.Client()
	switch {
	case errors.Is(err, oauth.ErrUnknownProvider):
		return c, fmt.Errorf("--oauth %q: google, microsoft or custom", o.provider)
	case !errors.Is(err, oauth.ErrNoClient):
		return c, err
	}
	switch o.provider {
	case "":
		return c, errors.New("no app to sign in with on this machine: give --oauth and its client (see popvault account add --help)")
	case oauth.ProviderGoogle:
		return c, errors.New("--oauth google needs your Google Cloud OAuth client: --client-secret-file client_secret_….json (README: Gmail with OAuth)")
	case oauth.ProviderMicrosoft:
		return c, errors.New("--oauth microsoft needs your app's --client-id (README: Outlook.com and Microsoft 365)")
	}
	return c, errors.New("--oauth custom needs --client-id, --auth-url, --token-url and --scope")
}

// signIn runs the browser sign-in for acct and keeps it: the address
// is always printed, and opened in a browser where there may be one.
func (c *session) signIn(ctx context.Context, acct fetch.Account, loginHint string, client oauth.Client, noBrowser bool) error {
	ctx, stop := interruptible(ctx)
	defer stop()
	opts := oauth.SignInOptions{
		LoginHint: loginHint,
		Timeout:   10 * time.Minute,
		Show: func(u string) {
			fmt.Fprintf(c.stderr, "To sign in, open this address in a browser (popvault waits here for it):\n%s\n", u)
		},
	}
	if !noBrowser {
		opts.Open = c.openBrowser
	}
	tok, err := oauth.SignIn(ctx, client, opts)
	if err != nil {
		return err
	}
	if err := c.oauthStore().Save(acct, credentials.NewSignIn(client, tok)); err != nil {
		return err
	}
	fmt.Fprintln(c.stderr, "Signed in.")
	return nil
}

// openBrowser opens u in the desktop's browser, where there is a desktop.
func (c *session) openBrowser(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	default:
		if c.env.Getenv("DISPLAY") == "" && c.env.Getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no display")
		}
		cmd = exec.Command("xdg-open", u)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait()
	return nil
}

// oauthStore keeps sign-ins: the keyring, like passwords.
func (c *session) oauthStore() *credentials.OAuthStore {
	if c.signins == nil {
		c.signins = credentials.NewOAuthStore(credentials.OAuthStoreOptions{
			Warn: func(msg string) { fmt.Fprintln(c.stderr, "popvault: note:", msg) },
		})
	}
	return c.signins
}

// accountSignIn signs an OAuth account in again: after a revocation, on
// another machine, or to change the app it signs in with.
func (c *session) accountSignIn(ctx context.Context, args []string) error {
	fs := c.flags("account signin")
	name := fs.String("name", "", "account name (required)")
	var o oauthFlags
	o.register(fs)
	if _, err := c.parse(fs, args); err != nil {
		return err
	}
	if err := o.refused(); err != nil {
		return err
	}
	arch, a, err := c.namedAccount(*name)
	if err != nil {
		return err
	}
	if a.OAuth == "" {
		return fmt.Errorf("%s signs in with a password: change it with popvault account edit --password-stdin", a.Name)
	}
	if o.provider == "" {
		o.provider = a.OAuth
	}
	client, err := o.client(c.oauthStore(), a, c.stdin)
	if err != nil {
		return err
	}
	if err := c.signIn(ctx, a, hint(a), client, o.noBrowser); err != nil {
		return err
	}
	if a.OAuth != client.Provider {
		a.OAuth = client.Provider
		return fetch.SaveAccount(arch, a)
	}
	return nil
}

// hint is the address to sign in as.
func hint(a fetch.Account) string {
	if a.Email != "" {
		return a.Email
	}
	if strings.Contains(a.User, "@") {
		return a.User
	}
	return ""
}

// oauthDefaults fills in what a provider's accounts always have.
func oauthDefaults(a *fetch.Account) {
	if a.User == "" {
		a.User = a.Email
	}
	if a.Host != "" {
		return
	}
	switch a.OAuth {
	case oauth.ProviderGoogle:
		a.Host, a.Port, a.Security = "pop.gmail.com", 995, fetch.SecurityTLS
	case oauth.ProviderMicrosoft:
		a.Host, a.Port, a.Security = "outlook.office365.com", 995, fetch.SecurityTLS
	}
}
