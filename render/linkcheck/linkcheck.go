// Package linkcheck decides what to tell a person before a link in a
// mail is opened: where it really goes, and a warning where it looks
// like a phishing mail's. It is a pure function of the link and the text
// it is shown as, so the window only draws what it returns.
//
// It warns when the text shows one site's address and the link goes to
// another's (the text written with a scheme, with "www.", or as a bare
// host name such as paypal.com); when the address carries a user part
// (https://www.paypal.com@evil.example/ goes to evil.example); and when
// a host name uses look-alike letters: alphabets mixed within a label
// (a Cyrillic "а" among Latin letters), or a label written wholly in
// letters that look like Latin ones (Unicode's confusables, UTS #39).
// An international host name is shown with its ASCII (punycode) form
// beside it.
package linkcheck

import (
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// Verdict is what to tell a person about a link before it opens.
type Verdict struct {
	// Address is the link as a browser reads it, for the person to see,
	// with an international host name's ASCII form beside its letters.
	Address string
	// Warnings are plain sentences, the most serious first; none when
	// nothing looks wrong.
	Warnings []string
}

// advice closes the warnings: what to do instead.
const advice = "If in doubt, press Cancel, and type the address of the site you know into your browser yourself."

// Message is the warnings as one text with what to do about them, or ""
// when there are none.
func (v Verdict) Message() string {
	if len(v.Warnings) == 0 {
		return ""
	}
	return strings.Join(v.Warnings, "\n") + "\n" + advice
}

// Check looks at link, an address a mail links to, shown to the person
// as text.
func Check(link, text string) Verdict {
	v := Verdict{Address: link}
	u, read, mail := parse(link)
	if u == nil {
		v.Warnings = append(v.Warnings, "Careful: this address is not well formed: a browser may read it differently from how it reads here.")
		return v
	}
	h := newHost(u.Hostname())
	if mail {
		h = newHost(mailDomain(u.Opaque))
	}
	if h.ascii == "" {
		return v
	}
	v.Address = read
	if h.ascii != h.shown {
		v.Address += "\n(the site's name " + h.shown + " is " + h.ascii + " in plain letters)"
	}
	if u.User != nil && !mail {
		v.Warnings = append(v.Warnings, "Careful: this address starts with \""+userinfo(u.User)+
			"\", but what comes before the @ is only a name handed to the site: it goes to "+h.String()+".")
	}
	if shown := hostOf(text); shown.ascii != "" && !sameSite(shown.ascii, h.ascii) {
		v.Warnings = append(v.Warnings, "Careful: the link's text shows "+shown.String()+", but it goes to "+h.String()+".")
	}
	if w := lookAlike(h); w != "" {
		v.Warnings = append(v.Warnings, w)
	}
	return v
}

// parse reads a link as a browser would: tabs and line breaks inside
// dropped, a backslash in a web address taken as a slash; read is the
// link so read. mail reports a mailto: address. It returns a nil URL
// where the link cannot be read.
func parse(link string) (u *url.URL, read string, mail bool) {
	link = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, strings.TrimSpace(link))
	lower := strings.ToLower(link)
	switch {
	case strings.HasPrefix(lower, "mailto:"):
		mail = true
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
		link = strings.ReplaceAll(link, `\`, "/")
		u, err := url.Parse(escapeUserinfo(link))
		if err != nil {
			return nil, "", false
		}
		return u, link, false
	}
	u, err := url.Parse(link)
	if err != nil {
		return nil, "", false
	}
	return u, link, mail
}

// escapeUserinfo percent-encodes what a browser would in a web address's
// user part (letters beyond ASCII among them), which Go's parser refuses.
func escapeUserinfo(link string) string {
	start := strings.Index(link, "//") + 2
	end := start + strings.IndexAny(link[start:]+"/", "/?#")
	at := strings.LastIndexByte(link[start:end], '@')
	if at < 0 {
		return link
	}
	var b strings.Builder
	b.WriteString(link[:start])
	for _, c := range []byte(link[start : start+at]) {
		if c < 0x80 && (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._:~!$&'()*+,;=%", c) >= 0) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	b.WriteString(link[start+at:])
	return b.String()
}

// userinfo is a user part as it reads, password and all.
func userinfo(u *url.Userinfo) string {
	if p, ok := u.Password(); ok {
		return u.Username() + ":" + p
	}
	return u.Username()
}

// mailDomain is the domain of the first address of a mailto: link.
func mailDomain(opaque string) string {
	addr, _, _ := strings.Cut(opaque, "?")
	addr, _, _ = strings.Cut(addr, ",")
	if unescaped, err := url.PathUnescape(addr); err == nil {
		addr = unescaped
	}
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return addr[i+1:]
}

// host is a host name in both its forms.
type host struct {
	ascii string // as it is looked up: lower case, international labels in punycode
	shown string // as a person reads it
}

func newHost(name string) host {
	name = strings.TrimSuffix(strings.ToLower(name), ".")
	if name == "" {
		return host{}
	}
	ascii, err := idna.Lookup.ToASCII(name)
	if err != nil {
		// Not a name idna reads: compare it as it is written.
		return host{ascii: name, shown: name}
	}
	shown, err := idna.Display.ToUnicode(ascii)
	if err != nil {
		shown = name
	}
	return host{ascii: ascii, shown: shown}
}

// String is the host as a person reads it, its ASCII form beside where
// the two differ.
func (h host) String() string {
	if h.ascii != h.shown {
		return h.shown + " (" + h.ascii + ")"
	}
	return h.shown
}

// hostOf is the host a link's text shows, where the text is an address:
// a URL, a mailto: or mail address, a name starting "www.", or a bare
// host name under a public suffix (paypal.com, paypal.com/login).
func hostOf(text string) host {
	s := strings.Trim(strings.TrimSpace(text), "<>[]()\"'")
	if s == "" || strings.ContainsAny(s, " \t\n") {
		return host{}
	}
	lower := strings.ToLower(s)
	switch {
	case strings.Contains(lower, "://"), strings.HasPrefix(lower, "mailto:"):
		u, _, mail := parse(s)
		if u == nil {
			return host{}
		}
		if mail {
			return newHost(mailDomain(u.Opaque))
		}
		return newHost(u.Hostname())
	case strings.HasPrefix(lower, "www."):
		if u, _, _ := parse("http://" + s); u != nil {
			return newHost(u.Hostname())
		}
		return host{}
	}
	name, _, _ := strings.Cut(s, "/")
	if i := strings.LastIndexByte(name, '@'); i >= 0 { // a mail address
		name = name[i+1:]
	}
	if i := strings.LastIndexByte(name, ':'); i >= 0 && isDigits(name[i+1:]) { // a port
		name = name[:i]
	}
	if !strings.Contains(name, ".") || strings.ContainsAny(name, "@:?#%\\") {
		return host{}
	}
	h := newHost(name)
	// Only a name under a top-level domain that is really delegated
	// counts (not "report.pdf" or "v2.0"), and not a suffix on its own.
	tld := h.ascii[strings.LastIndexByte(h.ascii, '.')+1:]
	if _, icann := publicsuffix.PublicSuffix(tld); !icann {
		return host{}
	}
	if suffix, _ := publicsuffix.PublicSuffix(h.ascii); suffix == h.ascii {
		return host{}
	}
	return h
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// sameSite: both hosts belong to one registrable domain (www.bank.example
// and mail.bank.example; not a.github.io and b.github.io, whose suffix is
// public), or, for names without one (addresses, single labels), are the
// same.
func sameSite(a, b string) bool {
	if a == b {
		return true
	}
	sa, errA := publicsuffix.EffectiveTLDPlusOne(a)
	sb, errB := publicsuffix.EffectiveTLDPlusOne(b)
	return errA == nil && errB == nil && sa == sb
}
