package ui

import (
	"strings"

	"popvault/health"
)

// provider is a choice in "Back up a mailbox" and the account dialog:
// where the mail is, and the steps that provider needs before POP works,
// each with the page where it is done.
type provider struct {
	name   string // as the choice shows it
	domain string // its preset's key in presets; "" for another server
	steps  []step
	noPOP  bool // it offers no POP at all: nothing to fill in
}

// step is one thing to do at the provider, with the page it is done on.
type step struct {
	text, link, label string // label: the link's words
}

// providers, in the order offered. Hosts, ports and rules: presets, and
// docs/FACTS of 2026-12-02 (Outlook OAuth only, Yahoo and AOL app
// passwords, GMX's POP switch, Fastmail's app passwords, iCloud no POP).
var providers = []provider{
	{name: "Gmail", domain: "gmail.com", steps: []step{
		{"Turn on POP for all mail: Settings, Forwarding and POP/IMAP, “Enable POP for all mail”.", health.GmailPOPSettings, "Open Gmail's POP settings"},
		{"There too, “When messages are accessed with POP”: choose “keep Gmail's copy in the Inbox”, so Gmail keeps your mail as it was.", "", ""},
		{"Sign in with Google below, or, with 2-step verification on, make an app password and type it as the password.", health.GmailAppPasswords, "Open Google's app passwords"},
	}},
	{name: "Outlook.com / Microsoft 365", domain: "outlook.com", steps: []step{
		{"Turn POP on: Settings, Mail, Forwarding and IMAP, POP options: Yes.", health.OutlookPOPSettings, "Open Outlook.com's settings"},
		{"Sign in with Microsoft below: Microsoft takes no password for POP since September 2024.", "", ""},
	}},
	{name: "Yahoo and AOL", domain: "yahoo.com", steps: []step{
		{"Make an app password: Account security, Generate app password (Yahoo and AOL let you once the browser has been used a few days).", "https://login.yahoo.com/account/security", "Open Yahoo's account security"},
		{"For AOL, the same at AOL's account security page; type your AOL address below and its server is filled in.", "https://login.aol.com/account/security", "Open AOL's account security"},
		{"Type the app password below as the password.", "", ""},
	}},
	{name: "GMX", domain: "gmx.net", steps: []step{
		{"Turn on POP3 in GMX's settings: E-mail, POP3 & IMAP, “Allow access via POP3 and IMAP”.", "https://support.gmx.com/pop-imap/toggle.html", "Open GMX's help on POP3"},
		{"With two-factor authentication on, make an app password there and type it below.", "", ""},
	}},
	{name: "Fastmail", domain: "fastmail.com", steps: []step{
		{"Make an app password with POP access: Settings, Privacy & Security, Manage app passwords (not on the Basic plan).", "https://app.fastmail.com/settings/security/apps", "Open Fastmail's app passwords"},
		{"Type it below as the password.", "", ""},
	}},
	{name: "iCloud Mail", domain: "icloud.com", noPOP: true, steps: []step{
		{"iCloud Mail has no POP at all, only IMAP: popvault cannot back it up.", "", ""},
	}},
	{name: "Another server"},
}

// providerOf is the index in providers of an address's provider, or of
// "Another server".
func providerOf(email string) int {
	p, ok := PresetFor(email)
	for i, pr := range providers {
		if ok && pr.domain != "" && presets[pr.domain].Provider == p.Provider {
			return i
		}
	}
	if ok && strings.EqualFold(p.Provider, "AOL") {
		return providerIndex("Yahoo and AOL")
	}
	return len(providers) - 1
}

func providerIndex(name string) int {
	for i, p := range providers {
		if p.name == name {
			return i
		}
	}
	return len(providers) - 1
}

func providerNames() []string {
	var out []string
	for _, p := range providers {
		out = append(out, p.name)
	}
	return out
}
