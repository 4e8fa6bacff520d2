package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden renders the corpus, mail shaped like real mail, and compares
// each document with its golden file (go test -update rewrites them; read
// the diff before committing one).
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.html")
	txt, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 || len(txt) == 0 {
		// A moved folder or a renamed extension would pass with nothing compared.
		t.Fatalf("%d HTML and %d text samples in testdata: want some of each", len(files), len(txt))
	}
	for _, path := range append(files, txt...) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var d *Doc
			if strings.HasSuffix(path, ".txt") {
				d = PlainText(string(src), Format{Flowed: true})
			} else {
				d = HTML(string(src))
			}
			got, _ := json.MarshalIndent(d, "", "  ")
			golden := strings.TrimSuffix(path, filepath.Ext(path)) + ".golden.json"
			if *update {
				os.WriteFile(golden, append(got, '\n'), 0o644)
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(bytes.TrimSpace(got), bytes.TrimSpace(want)) {
				t.Errorf("%s differs from %s:\n%s", path, golden, got)
			}
		})
	}
}

func kinds(d *Doc) string {
	var b strings.Builder
	for _, bl := range d.Blocks {
		b.WriteString([]string{"P", "H", "Pre", "HR", "Table", "Img"}[bl.Kind])
		b.WriteByte(' ')
	}
	return strings.TrimSpace(b.String())
}

func TestHTML(t *testing.T) {
	for _, c := range []struct {
		name, src, kinds string
		check            func(*testing.T, *Doc)
	}{
		{"layout table collapses, data table stays", `<table><tr><td><p>Hi</p><table><tr><td>a</td><td>1</td></tr><tr><td>b</td><td>2</td></tr></table></td></tr></table>`,
			"P Table", func(t *testing.T, d *Doc) {
				if rows := d.Blocks[1].Rows; len(rows) != 2 || Text(rows[1][1].Spans) != "2" {
					t.Errorf("rows %+v", rows)
				}
			}},
		{"one-row table is layout", `<table><tr><td>logo</td><td>Order 5</td></tr></table>`, "P P", nil},
		{"styles and links", `<p>a <b>bold <i>both</i></b> <a href="https://x.example/">link</a> <a href="javascript:x()">js</a></p>`, "P",
			func(t *testing.T, d *Doc) {
				want := []Span{{Text: "a "}, {Text: "bold ", Style: Bold}, {Text: "both", Style: Bold | Italic}, {Text: " "},
					{Text: "link", Link: "https://x.example/"}, {Text: " js"}}
				if got := d.Blocks[0].Spans; !equalSpans(got, want) {
					t.Errorf("spans %+v", got)
				}
			}},
		{"quotes nest", `<p>new</p><blockquote>old<blockquote>older</blockquote></blockquote>`, "P P P",
			func(t *testing.T, d *Doc) {
				if d.Blocks[1].Quote != 1 || d.Blocks[2].Quote != 2 {
					t.Errorf("quote depths %d %d", d.Blocks[1].Quote, d.Blocks[2].Quote)
				}
			}},
		{"lists number and nest", `<ol><li>one<li>two<ul><li>inner</ul></ol>`, "P P P",
			func(t *testing.T, d *Doc) {
				b := d.Blocks
				if b[0].Marker != "1." || b[1].Marker != "2." || b[2].Marker != "•" || b[2].Indent != 2 {
					t.Errorf("markers %+v", b)
				}
			}},
		{"br and pre keep lines", "<p>a<br>b</p><pre>\n x  y\nz</pre>", "P Pre",
			func(t *testing.T, d *Doc) {
				if Text(d.Blocks[0].Spans) != "a\nb" || Text(d.Blocks[1].Spans) != " x  y\nz" {
					t.Errorf("%q %q", Text(d.Blocks[0].Spans), Text(d.Blocks[1].Spans))
				}
			}},
		{"unclosed paragraphs", `<p>one<p>two<div>three</div>`, "P P P", nil},
		{"script, style, head go", `<head><title>T</title><style>p{}</style></head><script>x()</script><p>body</p>`, "P", nil},
		{"images", `<img src="cid:a@b" alt="Logo"><img src="https://t.example/p.gif" width="1" height="1"><img src="http://r.example/x.png"><p>a<img src="cid:c@d">b`, "Img P",
			func(t *testing.T, d *Doc) {
				pics := d.Blocks[0].Spans
				if d.Blocks[0].Img.Src != "cid:a@b" || len(pics) != 2 || pics[0].Img != d.Blocks[0].Img || pics[0].Img.Remote || !pics[1].Img.Remote {
					t.Errorf("%+v %+v", d.Blocks[0].Img, pics)
				}
				if s := d.Blocks[1].Spans; len(s) != 3 || s[1].Img == nil || s[1].Img.Src != "cid:c@d" {
					t.Errorf("the picture in the text: %+v", s)
				}
			}},
		{"stray end tags", `</div></table></b><p>ok</p></td>`, "P", nil},
		// The rules for tags that close others, each within its scope.
		{"a p inside a div leaves the p outside open", `<p>a<div>b<p>c</div>d`, "P P P P", texts("a", "b", "c", "d")},
		{"a list item closes its own list's item only", `<ul><li>a<ol><li>b<li>c</ol>d<li>e</ul>`, "P P P P P",
			func(t *testing.T, d *Doc) {
				var got []string
				for _, b := range d.Blocks {
					got = append(got, fmt.Sprint(b.Indent, b.Marker, Text(b.Spans)))
				}
				if want := "1•a 21.b 22.c 1d 1•e"; strings.Join(got, " ") != want {
					t.Errorf("got %q, want %q", strings.Join(got, " "), want)
				}
			}},
		{"an end tag does not reach out of a cell", `<b><table><tr><td>x</b>y<td>z</table>w`, "P P P",
			func(t *testing.T, d *Doc) {
				for _, b := range d.Blocks {
					if len(b.Spans) != 1 || b.Spans[0].Style != Bold {
						t.Errorf("%+v is not all bold", b.Spans)
					}
				}
				texts("xy", "z", "w")(t, d)
			}},
		{"a cell closes the cell before it, a row the row", `<table><tr><td>a<td>b<tr><th>c<td>d</table>`, "Table",
			func(t *testing.T, d *Doc) {
				r := d.Blocks[0].Rows
				if len(r) != 2 || len(r[0]) != 2 || len(r[1]) != 2 || !r[1][0].Header || Text(r[1][1].Spans) != "d" {
					t.Errorf("rows %+v", r)
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := HTML(c.src)
			if got := kinds(d); got != c.kinds {
				t.Fatalf("blocks %q, want %q: %+v", got, c.kinds, d.Blocks)
			}
			if c.check != nil {
				c.check(t, d)
			}
		})
	}
}

// texts checks the blocks' texts.
func texts(want ...string) func(*testing.T, *Doc) {
	return func(t *testing.T, d *Doc) {
		t.Helper()
		var got []string
		for _, b := range d.Blocks {
			got = append(got, Text(b.Spans))
		}
		if !slices.Equal(got, want) {
			t.Errorf("texts %q, want %q", got, want)
		}
	}
}

func equalSpans(a, b []Span) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestPlainText(t *testing.T) {
	d := PlainText("Hi,\n> a\n> > b\n>> c\nsee http://x.example/a.\n", Format{})
	var got []string
	for _, b := range d.Blocks {
		got = append(got, strings.Repeat(">", b.Quote)+Text(b.Spans))
	}
	if want := []string{"Hi,", ">a", ">>b\nc", "see http://x.example/a."}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q", got)
	}
	last := d.Blocks[len(d.Blocks)-1].Spans
	if len(last) != 3 || last[1].Link != "http://x.example/a" {
		t.Errorf("link %+v", last)
	}
	d = PlainText("one \ntwo\n", Format{Flowed: true, DelSp: true})
	if Text(d.Blocks[0].Spans) != "onetwo" {
		t.Errorf("delsp: %q", Text(d.Blocks[0].Spans))
	}
}

// TestLimits: hostile bodies are cut, with Cut set and bounded output;
// the beginning shows. (How long they take: BenchmarkHostile.)
func TestLimits(t *testing.T) {
	for name, c := range map[string]struct {
		src   string
		plain bool
	}{
		"10,000-deep nesting":              {src: strings.Repeat("<div>", 10000) + "deep" + strings.Repeat("</div>", 10000)},
		"10,000-deep quotes":               {src: strings.Repeat("<blockquote>", 10000) + "deep"},
		"20 MB of text":                    {src: "<p>" + strings.Repeat("word ", 4<<20)},
		"a table of 100,000 cells":         {src: "<table>" + strings.Repeat("<tr>"+strings.Repeat("<td>x</td>", 10)+"</tr>", 10000) + "</table>"},
		"200,000 paragraphs":               {src: strings.Repeat("<p>x</p>", 200000)},
		"400,000 line breaks":              {src: "<p>" + strings.Repeat("x<br>", 400000)},
		"400,000 lines, preformatted":      {src: "<pre>" + strings.Repeat("x\n", 400000)},
		"400,000 lines of plain text":      {src: strings.Repeat("x\n", 400000), plain: true},
		"a paragraph of 2 MB, plain text":  {src: strings.Repeat("x", 2<<20), plain: true},
		"2 MB of links, plain text":        {src: strings.Repeat("http://x.example/ ", 2<<20/18), plain: true},
		"a line of 2 MB, HTML":             {src: "<p>" + strings.Repeat("é", 1<<20)},
		"elements inside a skipped one":    {src: "<svg>" + strings.Repeat("<a>", 200000) + "x" + strings.Repeat("</a>", 200000) + "</svg><p>after"},
		"500,000 stray end tags in a cell": {src: "<table><tr><td>x" + strings.Repeat("</b>", 500000)},
	} {
		t.Run(name, func(t *testing.T) {
			var d *Doc
			if c.plain {
				d = PlainText(c.src, Format{})
			} else {
				d = HTML(c.src)
			}
			if len(d.Blocks) == 0 {
				t.Fatalf("no blocks: the beginning must show")
			}
			size, breaks := 0, 0
			for _, b := range d.Blocks {
				text := Text(b.Spans)
				if !utf8.ValidString(text) {
					t.Errorf("a block's text is not UTF-8: cut inside a character")
				}
				size += len(text)
				breaks += strings.Count(text, "\n")
				for _, r := range b.Rows {
					size += len(r)
				}
			}
			if size > maxText+maxCells || len(d.Blocks) > maxBlocks || breaks > maxLines {
				t.Errorf("%d blocks, %d bytes, %d line breaks", len(d.Blocks), size, breaks)
			}
			if len(c.src) > maxInput && !d.Cut {
				t.Errorf("not marked cut")
			}
		})
	}
}

// FuzzHTML renders and lays out HTML, starting from a few shapes of mail
// and the hostile shapes at the input limit; each input must stay within
// the time budget.
func FuzzHTML(f *testing.F) {
	for _, s := range []string{"<p>a<b>b</p>", "<table><tr><td>1<td>2<tr><td>3<td>4</table>", "<ol><li>x<ul><li>y</ol>", "<pre>a\n b</pre>", "<blockquote><blockquote>q"} {
		f.Add(s)
	}
	for _, s := range hostileShapes {
		if !s.plain {
			f.Add(s.src(maxInput))
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		var d *Doc
		withinBudget(t, func() {
			d = HTML(src)
			Layout(d, 90)
			Layout(d, 20)
		})
		n := 0
		for _, b := range d.Blocks {
			n += len(Text(b.Spans))
			if b.Kind == Table && len(b.Rows) == 0 {
				t.Fatal("a table without rows")
			}
		}
		if n > len(src)+len(d.Blocks)*2+16 && n > maxText {
			t.Fatalf("%d bytes of text from %d", n, len(src))
		}
	})
}

// FuzzPlainText renders and lays out plain text, starting from the
// hostile shapes too, within the time budget.
func FuzzPlainText(f *testing.F) {
	f.Add("a \nb\n> c \n>> d\n", true)
	for _, s := range hostileShapes {
		if s.plain {
			f.Add(s.src(maxInput), false)
			f.Add(s.src(maxInput), true)
		}
	}
	f.Fuzz(func(t *testing.T, src string, flowed bool) {
		var d *Doc
		withinBudget(t, func() {
			d = PlainText(src, Format{Flowed: flowed, DelSp: flowed})
			Layout(d, 90)
			Layout(d, 20)
		})
		for _, b := range d.Blocks {
			if b.Quote < 0 || b.Quote > maxDepth {
				t.Fatalf("quote %d", b.Quote)
			}
		}
	})
}

// BenchmarkCorpus renders and lays out each message of the corpus, as
// opening it in the reader does.
func BenchmarkCorpus(b *testing.B) {
	files, _ := filepath.Glob("testdata/*.html")
	var srcs []string
	for _, f := range files {
		src, _ := os.ReadFile(f)
		srcs = append(srcs, string(src))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, s := range srcs {
			Layout(HTML(s), 90)
		}
	}
}
