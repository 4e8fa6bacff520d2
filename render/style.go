package render

import (
	"strconv"
	"strings"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
)

// What render reads of CSS: the few properties that hide text or give it
// its emphasis, from style attributes and from the simple rules of
// <style> elements. Everything else about how mail looks (colours,
// sizes, boxes) is the window's. CSS is read with tdewolff's parser
// (linear, no regular expressions): the sanitizer's own CSS parser took
// 60 µs a style attribute, and newsletters carry hundreds of them.

// decl is one declaration: a property and its value, in lower case,
// without "!important".
type decl struct{ prop, value string }

// sheet holds the rules of a message's <style> elements that render
// applies: those whose selector is one class or one id, alone or after
// an element's name (".preheader", "span.preheader", "#footer"),
// outside at-rules (an @media rule applies to some screens only: a
// browser window is not one). Rules that select by structure are not
// followed.
type sheet struct {
	rules map[string][]decl // by selector: ".c", "#i", "tag.c", "tag#i"; one per property
	read  int               // bytes of style read
	n     int               // declarations kept
}

// Limits on the style sheets read: a hostile one costs no more.
const (
	maxSheet = 256 << 10
	maxDecls = 4096
)

// add reads the text of a <style> element.
func (s *sheet) add(src string) {
	if s.read >= maxSheet {
		return
	}
	src = cutAt(src, maxSheet-s.read)
	s.read += len(src)
	p := css.NewParser(parse.NewInputString(src), false)
	depth := 0 // at-rules open
	var selectors []string
	// Each step of the parser reads at least one token: a bound on the
	// steps guards against a parser that would stop advancing.
	for steps := 0; steps <= len(src)+1; steps++ {
		gt, _, data := p.Next()
		switch gt {
		case css.ErrorGrammar:
			if !p.HasParseError() {
				return // the end
			}
		case css.BeginAtRuleGrammar:
			depth++
		case css.EndAtRuleGrammar:
			depth = max(0, depth-1)
		case css.BeginRulesetGrammar:
			selectors = nil
			if depth == 0 {
				selectors = simpleSelectors(p.Values())
			}
		case css.EndRulesetGrammar:
			selectors = nil
		case css.DeclarationGrammar:
			if len(selectors) == 0 || s.n >= maxDecls {
				continue
			}
			d := toDecl(data, p.Values())
			if !wanted[d.prop] {
				continue
			}
			if s.rules == nil {
				s.rules = map[string][]decl{}
			}
			for _, sel := range selectors {
				if s.n >= maxDecls {
					break
				}
				s.set(sel, d)
			}
		}
	}
}

// set keeps d for sel, in place of what sel said of d's property before:
// the last declaration wins, and a selector holds at most one of each
// property, however often a hostile sheet repeats it.
func (s *sheet) set(sel string, d decl) {
	rules := s.rules[sel]
	for i := range rules {
		if rules[i].prop == d.prop {
			rules[i] = d
			return
		}
	}
	s.rules[sel] = append(rules, d)
	s.n++
}

// simpleSelectors returns the selectors of a rule's list that are one
// class or id, alone or after an element name, as keys of sheet.rules; a
// list holding any other is taken for its simple ones.
func simpleSelectors(tokens []css.Token) []string {
	var b strings.Builder
	for _, t := range tokens {
		b.Write(t.Data)
	}
	var out []string
	for _, sel := range strings.Split(b.String(), ",") {
		sel = strings.TrimSpace(sel)
		i := strings.IndexAny(sel, ".#")
		if i < 0 || !isName(sel[:i], true) || !isName(sel[i+1:], false) {
			continue
		}
		out = append(out, strings.ToLower(sel[:i])+sel[i:])
	}
	return out
}

// isName reports whether s is an element name (letters and digits) or
// a class or id name (letters, digits, "-" and "_"); an element name may
// be empty.
func isName(s string, element bool) bool {
	if s == "" {
		return element
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || !element && (c == '-' || c == '_')) {
			return false
		}
	}
	return true
}

// wanted are the properties render reads.
var wanted = map[string]bool{
	"display": true, "visibility": true, "opacity": true, "overflow": true, "overflow-y": true, "overflow-x": true,
	"height": true, "max-height": true, "width": true, "max-width": true, "font-size": true,
	"font-weight": true, "font-style": true, "text-decoration": true, "text-decoration-line": true,
}

// toDecl makes a declaration of the parser's property and value tokens.
func toDecl(prop []byte, values []css.Token) decl {
	var b strings.Builder
	for _, t := range values {
		b.Write(t.Data)
	}
	v := strings.ToLower(strings.TrimSpace(b.String()))
	v = strings.TrimSpace(strings.TrimSuffix(v, "!important"))
	return decl{prop: strings.ToLower(string(prop)), value: v}
}

// inline reads a style attribute's declarations, those render reads.
func inline(style string, each func(decl)) {
	// Most style attributes say nothing render reads: a look for the
	// properties' names first costs far less than parsing them.
	style = strings.ToLower(style)
	if !strings.Contains(style, "display") && !strings.Contains(style, "visib") && !strings.Contains(style, "opacity") &&
		!strings.Contains(style, "height") && !strings.Contains(style, "width") && !strings.Contains(style, "font") &&
		!strings.Contains(style, "decoration") && !strings.Contains(style, "overflow") {
		return
	}
	p := css.NewParser(parse.NewInputString(style), true)
	for steps := 0; steps <= len(style)+1; steps++ {
		gt, _, data := p.Next()
		switch gt {
		case css.ErrorGrammar:
			if !p.HasParseError() {
				return
			}
		case css.DeclarationGrammar:
			if d := toDecl(data, p.Values()); wanted[d.prop] {
				each(d)
			}
		}
	}
}

// look is what an element's styles say, as far as render reads them:
// whether it is hidden, and the emphasis and font size its text gets.
type look struct {
	hidden bool
	// Each of these is 0 where the styles say nothing, +1 for on (a font
	// size of zero, for zeroFont), -1 for off.
	zeroFont, bold, italic, underline int8
	// A picture's size in pixels as its style gives it, -1 where not.
	width, height float64
	// Found on the way: a zero height or width, and hidden overflow,
	// which together hide.
	noRoom, clip bool
}

func newLook() look { return look{width: -1, height: -1} }

// apply takes in one declaration; later ones win, as in CSS.
func (l *look) apply(d decl) {
	v := d.value
	switch d.prop {
	case "display":
		if v == "none" {
			l.hidden = true
		}
	case "visibility":
		if v == "hidden" || v == "collapse" {
			l.hidden = true
		}
	case "opacity":
		// The preheaders' trick: text there, and invisible.
		if n, ok := number(v); ok && n <= 0.01 {
			l.hidden = true
		}
	case "overflow", "overflow-y", "overflow-x":
		l.clip = strings.HasPrefix(v, "hidden") || strings.HasPrefix(v, "clip")
	case "height", "max-height", "width", "max-width":
		n, ok := pixels(v)
		if ok && n == 0 {
			l.noRoom = true
		}
		switch {
		case !ok:
		case d.prop == "width":
			l.width = n
		case d.prop == "height":
			l.height = n
		}
	case "font-size":
		if n, ok := number(v); ok && n == 0 {
			l.zeroFont = 1
		} else if v != "" {
			l.zeroFont = -1
		}
	case "font-weight":
		n, isNum := number(v)
		switch {
		case v == "bold" || v == "bolder" || isNum && n >= 600:
			l.bold = 1
		case v == "normal" || v == "lighter" || isNum:
			l.bold = -1
		}
	case "font-style":
		switch {
		case strings.HasPrefix(v, "italic") || strings.HasPrefix(v, "oblique"):
			l.italic = 1
		case v == "normal":
			l.italic = -1
		}
	case "text-decoration", "text-decoration-line":
		switch {
		case strings.Contains(v, "underline"):
			l.underline = 1
		case strings.HasPrefix(v, "none"):
			l.underline = -1
		}
	}
	// A box with no room and its overflow hidden shows nothing: the other
	// preheader trick (max-height:0; overflow:hidden).
	if l.noRoom && l.clip {
		l.hidden = true
	}
}

// number reads the number a CSS value starts with ("0", "0.5", "0px",
// "12pt"), ignoring its unit.
func number(v string) (float64, bool) {
	end := 0
	for end < len(v) && (v[end] >= '0' && v[end] <= '9' || v[end] == '.' || end == 0 && (v[end] == '-' || v[end] == '+')) {
		end++
	}
	n, err := strconv.ParseFloat(v[:end], 64)
	return n, err == nil
}

// pixels reads a length in pixels: a number alone or in px, or zero in
// any unit.
func pixels(v string) (float64, bool) {
	n, ok := number(v)
	if !ok {
		return 0, false
	}
	unit := strings.TrimLeft(v, "+-0123456789.")
	if n == 0 || unit == "" || unit == "px" {
		return n, true
	}
	return 0, false
}
