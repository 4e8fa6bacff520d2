package linkcheck

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/net/publicsuffix"
)

// lookAlike warns about a host name written to look like another: a
// label mixing alphabets, or one written wholly in letters that look like
// Latin ones (раураl.com, in Cyrillic, for paypal.com). A label in the
// alphabet of its top-level domain (пример.рф) is not a look-alike.
func lookAlike(h host) string {
	if h.ascii == h.shown {
		return "" // plain ASCII letters
	}
	labels := strings.Split(h.shown, ".")
	_, icann := publicsuffix.PublicSuffix(h.ascii)
	tldScripts := scriptsOf(labels[len(labels)-1])
	for _, label := range labels {
		scripts := scriptsOf(label)
		if !allowed(scripts) {
			return "Careful: the name " + h.String() + " mixes letters of different alphabets (" + list(scripts) +
				"), as names made to look like another do."
		}
		if isASCII(label) {
			continue
		}
		if icann && !isASCII(labels[len(labels)-1]) && len(scripts) == 1 && len(tldScripts) == 1 && scripts[0] == tldScripts[0] {
			continue // written in the alphabet of its country's own domain
		}
		if isASCII(confusables.Skeleton(label)) {
			return "Careful: the name " + h.String() + " is written in letters that look like plain Latin ones but are not," +
				" as names made to look like another are."
		}
	}
	return ""
}

// scriptsOf lists the alphabets (Unicode scripts) of s's letters, in
// name order; digits, hyphens and marks belong to none.
func scriptsOf(s string) []string {
	set := map[string]bool{}
	for _, r := range s {
		if r < utf8.RuneSelf && !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') ||
			unicode.Is(unicode.Common, r) || unicode.Is(unicode.Inherited, r) {
			continue
		}
		if r < utf8.RuneSelf {
			set["Latin"] = true
			continue
		}
		for name, table := range unicode.Scripts {
			if unicode.Is(table, r) {
				set[name] = true
				break
			}
		}
	}
	out := make([]string, 0, len(set))
	for name := range set {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// together are the alphabets that one name may mix (UTS #39's "highly
// restrictive" level): Japanese, Chinese and Korean are written with
// more than one, and with Latin letters beside.
var together = [][]string{
	{"Han", "Hiragana", "Katakana", "Latin"},
	{"Bopomofo", "Han", "Latin"},
	{"Han", "Hangul", "Latin"},
}

// allowed reports whether one label may be written with scripts.
func allowed(scripts []string) bool {
	if len(scripts) <= 1 {
		return true
	}
	for _, set := range together {
		all := true
		for _, s := range scripts {
			if !contains(set, s) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// list writes names as "A and B" or "A, B and C".
func list(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
