package ui

import (
	"strings"

	"popvault/fetch"
	"popvault/oauth"
)

// Preset is a provider's POP settings, filled in from an e-mail address.
type Preset struct {
	Provider    string
	Host        string
	Port        int
	Security    fetch.Security
	UserIsEmail bool   // the user name is the whole address
	Note        string // what the user must do on the provider's side
	// OAuth is the provider to sign in with, where there is one; with
	// OAuthOnly, the provider takes no password at all.
	OAuth     string
	OAuthOnly bool
}

var presets = map[string]Preset{
	"gmail.com": {Provider: "Gmail", Host: "pop.gmail.com", Port: 995, Security: fetch.SecurityTLS, UserIsEmail: true, OAuth: oauth.ProviderGoogle,
		Note: "Turn on POP in Gmail: Settings, Forwarding and POP/IMAP, Enable POP. Then either sign in with Google (choose it under Sign in with), " +
			"or, with 2-step verification on, create an app password at myaccount.google.com/apppasswords and use it as the password " +
			"(Google Workspace accounts may allow only signing in). What Gmail does with fetched mail (keep, mark read, archive, delete) is chosen there too. " +
			"To fetch the last 30 days again whatever was fetched before, put \"recent:\" before your address."},
	"outlook.com": {Provider: "Outlook.com", Host: "outlook.office365.com", Port: 995, Security: fetch.SecurityTLS, UserIsEmail: true,
		OAuth: oauth.ProviderMicrosoft, OAuthOnly: true,
		Note: "Turn on POP in Outlook.com: Settings, Mail, Forwarding and IMAP, POP options. Since September 2024 Microsoft takes no password for POP: you sign in with Microsoft, in your browser."},
	"yahoo.com": {Provider: "Yahoo Mail", Host: "pop.mail.yahoo.com", Port: 995, Security: fetch.SecurityTLS, UserIsEmail: true,
		Note: "Yahoo needs an app password: Account security, Generate app password."},
	"aol.com": {Provider: "AOL", Host: "pop.aol.com", Port: 995, Security: fetch.SecurityTLS, UserIsEmail: true,
		Note: "AOL needs an app password: Account security, Generate app password."},
	"gmx.net": {Provider: "GMX", Host: "pop.gmx.net", Port: 995, Security: fetch.SecurityTLS, UserIsEmail: true,
		Note: "Turn on POP3 in GMX's settings under POP3 & IMAP."},
	"fastmail.com": {Provider: "Fastmail", Host: "pop.fastmail.com", Port: 995, Security: fetch.SecurityTLS, UserIsEmail: true,
		Note: "Fastmail needs an app password with POP access: Settings, Privacy & Security, Manage app passwords (not on the Basic plan)."},
	"icloud.com": {Provider: "iCloud Mail",
		Note: "iCloud Mail offers IMAP only, not POP: popvault cannot fetch it."},
}

var aliases = map[string]string{
	"googlemail.com": "gmail.com",
	"hotmail.com":    "outlook.com", "live.com": "outlook.com", "msn.com": "outlook.com",
	"ymail.com": "yahoo.com", "yahoo.co.uk": "yahoo.com", "yahoo.de": "yahoo.com", "yahoo.fr": "yahoo.com",
	"gmx.de": "gmx.net", "gmx.com": "gmx.net", "gmx.at": "gmx.net", "gmx.ch": "gmx.net",
	"me.com": "icloud.com", "mac.com": "icloud.com",
	"aim.com": "aol.com", "fastmail.fm": "fastmail.com",
}

// PresetFor returns the settings for an address's provider, if known.
func PresetFor(email string) (Preset, bool) {
	_, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok {
		return Preset{}, false
	}
	if d, ok := aliases[domain]; ok {
		domain = d
	}
	p, ok := presets[domain]
	return p, ok
}
