package render

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// shape is a hostile body: the same few bytes repeated up to render's
// input limit, the kind of mail that once made rendering or layout
// quadratic.
type shape struct {
	name  string
	plain bool // a text/plain body; else HTML
	src   func(size int) string
}

// fill repeats unit after head until the whole is size bytes long.
func fill(head, unit string, size int) string {
	n := max(0, (size-len(head))/len(unit))
	return head + strings.Repeat(unit, n)
}

// hostileShapes are the bodies that must render and lay out in well
// under a second at the input limit (BenchmarkHostile measures them; the
// fuzz targets start from them, with a time budget per input).
var hostileShapes = []shape{
	{"text between empty elements", false, func(n int) string { return fill("<p>", "x<i/>", n) }},
	{"text between comments", false, func(n int) string { return fill("<p>", "x<!---->", n) }},
	{"text between closed elements", false, func(n int) string { return fill("<p>", "x<b></b>", n) }},
	{"one long word", false, func(n int) string { return fill("<p>", "x", n) }},
	{"one long preformatted line of spaces", false, func(n int) string { return fill("<pre>x", " ", n) }},
	{"paragraphs deep inside inline elements", false, func(n int) string { return fill(strings.Repeat("<b>", 300), "<p>x", n) }},
	{"stray end tags deep inside inline elements", false, func(n int) string { return fill(strings.Repeat("<b>", 300), "</x>", n) }},
	{"stray end tags inside a table", false, func(n int) string { return fill("<table><tr><td>"+strings.Repeat("<b>", 300), "</i>", n) }},
	{"list items deep inside inline elements", false, func(n int) string { return fill(strings.Repeat("<b>", 300), "<li>x", n) }},
	{"cells deep inside inline elements", false, func(n int) string { return fill("<table>"+strings.Repeat("<b>", 300), "<td>x", n) }},
	{"elements inside a skipped one", false, func(n int) string { return fill("<svg>", "<a>", n/2) + strings.Repeat("</b>", n/8) }},
	{"a table two rows wide", false, func(n int) string {
		row := "<tr>" + strings.Repeat("<td>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", maxCells/2)
		return "<table>" + row + row + "</table>"
	}},
	{"paragraphs in tables nested deep", false, func(n int) string {
		return fill(strings.Repeat("<table><tr><td>", 300), "<p>x", n)
	}},
	{"line breaks", false, func(n int) string { return fill("<p>", "x<br>", n) }},
	{"empty lines in a preformatted block", false, func(n int) string { return fill("<pre>", "\n", n) }},
	{"attributes", false, func(n int) string { return fill("<p", " a=b", n-1) + ">x" }},
	{"style attributes", false, func(n int) string {
		return fill("<p>", `<span style="font-size:0;display:block;max-height:0;font-weight:bold">x</span>`, n)
	}},
	{"one long style attribute", false, func(n int) string { return fill(`<p style="`, "font-size:0;", n-4) + `">x` }},
	{"a style sheet of simple rules", false, func(n int) string { return fill("<style>", ".a,.b{display:none;font-size:0}", n) }},
	{"classes a style sheet hides", false, func(n int) string {
		return fill("<style>.a{display:none}.b{font-size:0}.c{font-weight:bold}</style>", `<i class="a b c">x</i>`, n)
	}},
	{"classes a long style sheet styles", false, func(n int) string {
		return fill("<style>"+strings.Repeat(".a{font-size:0;font-weight:bold}", 20000)+"</style>", `<i class="a a a a">x</i>`, n)
	}},
	{"pictures", false, func(n int) string { return fill("<p>", `<img src="https://x.example/a.png" alt="a">`, n) }},
	{"no-break spaces", false, func(n int) string { return fill("<p>", "&nbsp;", n) }},
	{"a link followed by closing brackets", true, func(n int) string { return fill("see http://x.example/", ")", n) }},
	{"a link in brackets followed by closing brackets", true, func(n int) string { return fill("see http://x.example/(", ")", n) }},
	{"a link followed by full stops", true, func(n int) string { return fill("see http://x.example/", ".", n) }},
	{"one long plain word", true, func(n int) string { return fill("", "x", n) }},
	{"one long line of quote marks", true, func(n int) string { return fill("", ">", n) }},
	{"one long line of spaced quote marks", true, func(n int) string { return fill("", "> ", n) }},
	{"many links", true, func(n int) string { return fill("", "http://x.example/ ", n) }},
	{"single-letter words", true, func(n int) string { return fill("", "a ", n) }},
	{"empty lines", true, func(n int) string { return fill("", "\n", n) }},
	{"single-letter lines", true, func(n int) string { return fill("", "a\n", n) }},
}

// budget is the processor time that rendering and laying out one body
// may take in the fuzz targets: twice the second that the slowest body at
// the input limit must stay well under (BenchmarkHostile: about 0.3 s),
// ten seconds under the race detector, which makes this code up to seven
// times slower. Processor time, not the clock's: a machine busy with
// other work does not make the run fail.
func budget() time.Duration {
	if race {
		return 10 * time.Second
	}
	return 2 * time.Second
}

// withinBudget runs f and fails t when it took more than the budget.
func withinBudget(t *testing.T, f func()) {
	t.Helper()
	start, clock := cpuTime(), time.Now()
	f()
	took := cpuTime() - start
	if start == 0 {
		took = time.Since(clock) // no processor time on this system
	}
	if took > budget() {
		t.Fatalf("rendering and laying out took %v of processor time, over the budget of %v", took, budget())
	}
}

// renderShape renders and lays out a shape's body as the reader does.
func renderShape(s shape, src string, width int) []Line {
	var d *Doc
	if s.plain {
		d = PlainText(src, Format{})
	} else {
		d = HTML(src)
	}
	return Layout(d, width)
}

// reportCPU adds the processor time per operation to a benchmark's
// figures: on a machine shared with other work, the time on the clock
// says more about the neighbours than about the code.
func reportCPU(b *testing.B, since time.Duration) {
	if since == 0 {
		return // not measured on this system
	}
	b.ReportMetric(float64(cpuTime()-since)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkHostile renders and lays out each hostile shape at render's
// input limit: each must take well under a second.
func BenchmarkHostile(b *testing.B) {
	for _, s := range hostileShapes {
		src := s.src(maxInput)
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			cpu := cpuTime()
			for b.Loop() {
				renderShape(s, src, 90)
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkHostileLayout lays out each hostile shape at render's input
// limit, as a resize of the reader does.
func BenchmarkHostileLayout(b *testing.B) {
	for _, s := range hostileShapes {
		src := s.src(maxInput)
		var d *Doc
		if s.plain {
			d = PlainText(src, Format{})
		} else {
			d = HTML(src)
		}
		b.Run(s.name, func(b *testing.B) {
			cpu := cpuTime()
			for b.Loop() {
				Layout(d, 90)
			}
			reportCPU(b, cpu)
		})
	}
}

// allocated is how many bytes f allocates.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestTextGrowsInPlace: a paragraph's text built from many pieces costs
// memory in proportion to its length, not to its square (each piece
// once copied the whole paragraph so far).
func TestTextGrowsInPlace(t *testing.T) {
	for _, unit := range []string{"x<i/>", "x<!---->", "x<b></b>", "x<br>"} {
		t.Run(unit, func(t *testing.T) {
			src := fill("<p>", unit, 256<<10)
			var d *Doc
			n := allocated(func() { d = HTML(src) })
			if len(d.Blocks) != 1 || strings.Count(Text(d.Blocks[0].Spans), "x") != (len(src)-3)/len(unit) {
				t.Fatalf("rendered %d blocks, not the one paragraph of the source's letters", len(d.Blocks))
			}
			if n > 32*uint64(len(src)) {
				t.Errorf("%d bytes allocated to render %d", n, len(src))
			}
		})
	}
}

// TestSkippedMarkupStaysShallow: elements inside one whose content is
// not shown (svg, script, select...) are followed no deeper than others,
// so memory stays in proportion to the input, not to the nesting.
func TestSkippedMarkupStaysShallow(t *testing.T) {
	src := "<svg>" + strings.Repeat("<a>", 500000) + "</svg><p>after"
	var d *Doc
	if n := allocated(func() { d = HTML(src) }); n > 16*uint64(len(src)) {
		t.Errorf("%d bytes allocated to render %d", n, len(src))
	}
	if len(d.Blocks) != 1 || Text(d.Blocks[0].Spans) != "after" {
		t.Errorf("%d blocks: what follows the svg, and only that, must show", len(d.Blocks))
	}
}

// BenchmarkPageHostile makes the View in browser page of each hostile
// HTML shape at Page's own input limit.
func BenchmarkPageHostile(b *testing.B) {
	for _, s := range hostileShapes {
		if s.plain {
			continue
		}
		src := s.src(maxInput * 4)
		b.Run(s.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			cpu := cpuTime()
			for b.Loop() {
				Page("t", src, func(string) (string, []byte, bool) { return "", nil, false })
			}
			reportCPU(b, cpu)
		})
	}
}
