package linkcheck

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		name, link, text string
		warns            []string // what the warnings say, one entry each, in order
		address          string   // what the address shown holds, if set
	}{
		// The text shows an address on another site.
		{"a URL in the text", "https://evil.example/login", "https://www.bank.example/login",
			[]string{"the link's text shows www.bank.example, but it goes to evil.example"}, ""},
		{"a www. name in the text", "https://evil.example/login", "www.bank.example", []string{"shows www.bank.example"}, ""},
		{"a bare host name", "https://evil.example/login", "paypal.com", []string{"shows paypal.com, but it goes to evil.example"}, ""},
		{"a bare host name with a path", "https://evil.example/", "PayPal.com/signin", []string{"shows paypal.com"}, ""},
		{"a bare host name with a port", "https://evil.example/", "paypal.com:443", []string{"shows paypal.com"}, ""},
		{"a mail address in the text", "https://evil.example/", "help@paypal.com", []string{"shows paypal.com"}, ""},
		{"a name on another's public suffix", "https://b.github.io/", "a.github.io", []string{"shows a.github.io, but it goes to b.github.io"}, ""},
		{"an IP address", "http://192.0.2.1/login", "https://paypal.com/", []string{"goes to 192.0.2.1"}, ""},
		{"another mail domain", "mailto:x@evil.example", "mailto:help@bank.example", []string{"shows bank.example, but it goes to evil.example"}, ""},
		// The same site, or no address in the text.
		{"words", "https://www.bank.example/help", "our help pages", nil, "https://www.bank.example/help"},
		{"www. and not", "https://bank.example/x", "https://www.bank.example", nil, ""},
		{"a subdomain", "https://mail.bank.example/x", "bank.example/login", nil, ""},
		{"the bare name of the same site", "https://www.paypal.com/signin", "paypal.com", nil, ""},
		{"a path that differs", "https://news.example/u?id=1", "https://news.example/unsubscribe", nil, ""},
		{"a mail address and its mailto:", "mailto:help@bank.example", "help@bank.example", nil, ""},
		{"a file name is no host name", "https://files.example/r", "report.pdf", nil, ""},
		{"a version is no host name", "https://example.org/", "v2.0", nil, ""},
		{"a name under no real suffix", "https://evil.example/", "bank.localdomain", nil, ""},
		{"the same IP address", "http://192.0.2.1/", "http://192.0.2.1", nil, ""},
		// A user part before the host.
		{"a user part", "https://www.paypal.com@evil.example/", "Sign in",
			[]string{`starts with "www.paypal.com", but what comes before the @ is only a name handed to the site: it goes to evil.example`}, ""},
		{"a user part shown as the text", "https://www.paypal.com@evil.example/", "https://www.paypal.com@evil.example/", []string{"only a name handed to the site"}, ""},
		{"a user part with a password", "https://paypal.com:x@evil.example/", "here", []string{"goes to evil.example"}, ""},
		{"a backslash before the @", `https://evil.example\@paypal.com/`, "paypal.com", []string{"shows paypal.com, but it goes to evil.example"}, "https://evil.example/@paypal.com/"},
		{"look-alike letters in a user part", "https://www.p\u0430ypal.com@evil.example/login", "paypal.com",
			[]string{"starts with \"www.p\u0430ypal.com\", but what comes before the @", "shows paypal.com, but it goes to evil.example"},
			"https://www.p\u0430ypal.com@evil.example/login"},
		{"a line break inside", "https://pay\npal.com@evil.example/", "x", []string{`"paypal.com"`}, "https://paypal.com@evil.example/"},
		// Look-alike letters.
		{"a Cyrillic а among Latin letters", "https://p\u0430ypal.com/", "Sign in",
			[]string{"the name p\u0430ypal.com (xn--pypal-4ve.com) mixes letters of different alphabets (Cyrillic and Latin)"},
			"(the site's name p\u0430ypal.com is xn--pypal-4ve.com in plain letters)"},
		{"a Cyrillic а, and the text shows the real name", "https://p\u0430ypal.com/", "paypal.com",
			[]string{"shows paypal.com, but it goes to p\u0430ypal.com (xn--pypal-4ve.com)", "mixes letters"}, ""},
		{"a name wholly in Cyrillic letters", "https://\u0440\u0430\u0443\u0440\u0430l.com/", "Sign in",
			[]string{"mixes letters of different alphabets (Cyrillic and Latin)"}, ""},
		{"a name wholly in Cyrillic look-alikes", "https://\u0430\u0440\u0440\u04cf\u0435.com/", "Sign in",
			[]string{"the name \u0430\u0440\u0440\u04cf\u0435.com (xn--80ak6aa92e.com) is written in letters that look like plain Latin ones but are not"}, ""},
		{"Latin look-alikes", "https://p\u0251ypal.com/", "x", []string{"look like plain Latin ones"}, ""},
		{"a look-alike top-level domain", "https://paypal.\u0441om/", "x", []string{"mixes letters"}, ""},
		{"a look-alike label", "https://\u0440\u0430\u0443\u0440\u0430\u04cf.\u0441\u043e\u043c.example/", "x", []string{"look like plain Latin ones"}, ""},
		{"look-alikes written in punycode", "https://xn--80ak6aa92e.com/", "x", []string{"look like plain Latin ones"}, ""},
		{"look-alikes, percent-encoded", "https://p%D0%B0ypal.com/", "x", []string{"mixes letters"}, ""},
		{"a mail domain in look-alikes", "mailto:help@p\u0430ypal.com", "help", []string{"mixes letters"}, ""},
		// International names that are what they seem.
		{"German", "https://m\u00fcnchen.de/", "m\u00fcnchen.de", nil, "(the site's name m\u00fcnchen.de is xn--mnchen-3ya.de in plain letters)"},
		{"German in punycode, the text in letters", "https://xn--mnchen-3ya.de/", "m\u00fcnchen.de", nil, "m\u00fcnchen.de is xn--mnchen-3ya.de"},
		{"Japanese", "https://\u4f8b\u3048.jp/", "x", nil, ""},
		{"Greek", "https://\u03c0\u03b1\u03c1\u03ac\u03b4\u03b5\u03b9\u03b3\u03bc\u03b1.gr/", "x", nil, ""},
		{"Russian under its own domain", "https://\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444/", "x", nil, ""},
		// What cannot be read.
		{"a space in the host", "https://pay pal.com/", "x", []string{"not well formed"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := Check(c.link, c.text)
			if len(v.Warnings) != len(c.warns) {
				t.Fatalf("warnings %q, want %d", v.Warnings, len(c.warns))
			}
			for i, w := range c.warns {
				if !strings.Contains(v.Warnings[i], w) || !strings.HasPrefix(v.Warnings[i], "Careful: ") {
					t.Errorf("warning %q, want it to say %q", v.Warnings[i], w)
				}
			}
			if !strings.Contains(v.Address, c.address) {
				t.Errorf("address %q, want it to hold %q", v.Address, c.address)
			}
			if m := v.Message(); (m == "") != (len(c.warns) == 0) || m != "" && !strings.HasSuffix(m, advice) {
				t.Errorf("message %q", m)
			}
		})
	}
}

// FuzzCheck: any link and text give a verdict, its message and warnings
// agreeing.
func FuzzCheck(f *testing.F) {
	f.Add("https://www.paypal.com@evil.example/", "paypal.com")
	f.Add("https://p\u0430ypal.com/", "https://paypal.com/")
	f.Add(`https://evil.example\@paypal.com/`, "mailto:help@bank.example")
	f.Add("mailto:a@xn--80ak6aa92e.com?cc=b@c", "help@\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444")
	f.Fuzz(func(t *testing.T, link, text string) {
		v := Check(link, text)
		if (v.Message() == "") != (len(v.Warnings) == 0) {
			t.Fatalf("message %q for warnings %q", v.Message(), v.Warnings)
		}
	})
}
