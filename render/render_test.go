package render

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestGolden renders the corpus, mail shaped like real mail, and compares
// each document with its golden file (go test -update rewrites them; read
// the diff before committing one).
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.html")
	txt, _ := filepath.Glob("testdata/*.txt")
	for _, path := range append(files, txt...) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var d *Doc
			if strings.HasSuffix(path, ".txt") {
				d = PlainText(string(src), true, false)
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
		{"images", `<img src="cid:a@b" alt="Logo"><img src="https://t.example/p.gif" width="1" height="1"><img src="http://r.example/x.png">`, "Img Img",
			func(t *testing.T, d *Doc) {
				if d.Blocks[0].Img.Src != "cid:a@b" || d.Blocks[0].Img.Remote || !d.Blocks[1].Img.Remote {
					t.Errorf("%+v %+v", d.Blocks[0].Img, d.Blocks[1].Img)
				}
			}},
		{"stray end tags", `</div></table></b><p>ok</p></td>`, "P", nil},
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
	d := PlainText("Hi,\n> a\n> > b\n>> c\nsee http://x.example/a.\n", false, false)
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
	d = PlainText("one \ntwo\n", true, true)
	if Text(d.Blocks[0].Spans) != "onetwo" {
		t.Errorf("delsp: %q", Text(d.Blocks[0].Spans))
	}
}

// TestLimits: hostile bodies end quickly, with Cut set and bounded
// output.
func TestLimits(t *testing.T) {
	for name, src := range map[string]string{
		"10,000-deep nesting":      strings.Repeat("<div>", 10000) + "deep" + strings.Repeat("</div>", 10000),
		"10,000-deep quotes":       strings.Repeat("<blockquote>", 10000) + "deep",
		"20 MB of text":            "<p>" + strings.Repeat("word ", 4<<20),
		"a table of 100,000 cells": "<table>" + strings.Repeat("<tr>"+strings.Repeat("<td>x</td>", 10)+"</tr>", 10000) + "</table>",
		"200,000 paragraphs":       strings.Repeat("<p>x</p>", 200000),
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			d := HTML(src)
			took := time.Since(start)
			if !d.Cut || len(d.Blocks) == 0 {
				t.Errorf("cut %v, %d blocks: the beginning must show", d.Cut, len(d.Blocks))
			}
			size := 0
			for _, b := range d.Blocks {
				size += len(Text(b.Spans))
				for _, r := range b.Rows {
					size += len(r)
				}
			}
			if size > maxText+maxCells || len(d.Blocks) > maxBlocks {
				t.Errorf("%d blocks, %d bytes", len(d.Blocks), size)
			}
			t.Logf("%s: %v, %d blocks", name, took, len(d.Blocks))
			if took > 5*time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
}

func FuzzHTML(f *testing.F) {
	for _, s := range []string{"<p>a<b>b</p>", "<table><tr><td>1<td>2<tr><td>3<td>4</table>", "<ol><li>x<ul><li>y</ol>", "<pre>a\n b</pre>", "<blockquote><blockquote>q"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		d := HTML(src)
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

func FuzzPlainText(f *testing.F) {
	f.Add("a \nb\n> c \n>> d\n", true)
	f.Fuzz(func(t *testing.T, src string, flowed bool) {
		d := PlainText(src, flowed, flowed)
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
