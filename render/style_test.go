package render

import (
	"strconv"
	"strings"
	"testing"
)

// TestSheet: which rules of a style sheet render keeps.
func TestSheet(t *testing.T) {
	var s sheet
	s.add(`/* x */ .pre, span.pre2, #id, div p, .a .b, a:hover, .c > .d { display: none !important; color: red }
@media (max-width: 480px) { .mobile { display: none } }
.bold { font-weight: bold; font-weight: normal }`)
	var got []string
	for sel, decls := range s.rules {
		for _, d := range decls {
			got = append(got, sel+"="+d.prop+":"+d.value)
		}
	}
	for _, want := range []string{".pre=display:none", "span.pre2=display:none", "#id=display:none", ".bold=font-weight:normal"} {
		if !strings.Contains(strings.Join(got, " "), want) {
			t.Errorf("%q not kept: %q", want, got)
		}
	}
	if len(got) != 4 {
		t.Errorf("kept %q", got)
	}
}

// FuzzStyle reads style sheets and style attributes: no panic, and no
// more declarations kept than the limit.
func FuzzStyle(f *testing.F) {
	f.Add(".a{display:none}@media x{.b{display:none}}")
	f.Add("display: none !important; font-size: 0px; max-height:0; overflow:hidden")
	f.Add("/* unclosed {")
	many := make([]string, 2*maxDecls)
	for i := range many {
		many[i] = ".c" + strconv.Itoa(i)
	}
	f.Add(strings.Join(many, ",") + "{display:none}") // one declaration, many selectors
	f.Fuzz(func(t *testing.T, src string) {
		var s sheet
		s.add(src)
		s.add(src)
		if s.n > maxDecls {
			t.Fatalf("%d declarations", s.n)
		}
		lk := newLook()
		inline(src, lk.apply)
	})
}
