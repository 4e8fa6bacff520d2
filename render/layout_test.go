package render

import (
	"math/rand"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// draw places a line's segments at their columns, after "| " for each
// quote and its indent, as the reader draws them.
func draw(l Line) string {
	var b []rune
	for _, s := range l.Segs {
		for len(b) < s.Col {
			b = append(b, ' ')
		}
		b = append(b, []rune(s.Text)...)
	}
	prefix := strings.Repeat("| ", l.Quote) + strings.Repeat(" ", l.Indent)
	switch l.Kind {
	case Rule:
		return prefix + "----"
	case Heading:
		return prefix + "# " + string(b)
	}
	return strings.TrimRight(prefix+string(b), " ")
}

func drawAll(lines []Line) string {
	var out []string
	for _, l := range lines {
		out = append(out, draw(l))
	}
	return strings.Join(out, "\n")
}

func TestLayoutReceipt(t *testing.T) {
	src, _ := os.ReadFile("testdata/receipt.html")
	got := drawAll(Layout(HTML(string(src)), 60))
	want := `[picture: Example Shop (on the web, not loaded)]

Order #10293

# Thanks for your order, Ada!

We’re getting it ready. Here is what you bought:

Item                  Qty  Price
Espresso beans, 1 kg  2    €39.80
Milk jug              1    €12.50
Total                      €52.30

Track it here.`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestLayoutWrapsAndIndents(t *testing.T) {
	d := HTML(`<ul><li>one two three four five six seven eight nine ten</ul><blockquote>quoted words here and more words</blockquote><p>` +
		strings.Repeat("x", 45) + `</p><pre>a    b</pre>`)
	got := drawAll(Layout(d, 20))
	want := `   • one two three
     four five six
     seven eight
     nine ten

| quoted words here
| and more words

xxxxxxxxxxxxxxxxxxxx
xxxxxxxxxxxxxxxxxxxx
xxxxx

a    b`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for _, l := range Layout(d, 20) {
		if n := utf8.RuneCountInString(draw(l)); n > 20 {
			t.Errorf("line %q is %d wide", draw(l), n)
		}
	}
}

func TestLayoutNarrowTable(t *testing.T) {
	d := HTML(`<table><tr><td>a long description of the item</td><td>9.99</td></tr><tr><td>b</td><td>1.00</td></tr></table>`)
	for _, l := range Layout(d, 20) {
		if n := utf8.RuneCountInString(draw(l)); n > 20 {
			t.Errorf("line %q is %d wide", draw(l), n)
		}
	}
	if got := drawAll(Layout(d, 20)); !strings.Contains(got, "a long          9.99\ndescription of\nthe item\nb               1.00") {
		t.Errorf("columns do not line up:\n%s", got)
	}
}

// TestNarrow compares narrow with what it replaced: taking one column at
// a time from the widest, the leftmost first, down to 3.
func TestNarrow(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewSource(seed))
	for range 20000 {
		widths := make([]int, 1+r.Intn(8))
		for j := range widths {
			widths[j] = r.Intn(maxColumn + 1)
		}
		width := r.Intn(sum(widths) + 2*len(widths) + 5)
		want := slices.Clone(widths)
		for total := sum(want) + 2*(len(want)-1); total > width; total-- {
			widest := 0
			for j := range want {
				if want[j] > want[widest] {
					widest = j
				}
			}
			if want[widest] <= 3 {
				break
			}
			want[widest]--
		}
		got := slices.Clone(widths)
		narrow(got, sum(got)+2*(len(got)-1)-width)
		if !slices.Equal(got, want) {
			t.Fatalf("%v in %d: %v, want %v", widths, width, got, want)
		}
	}
}
