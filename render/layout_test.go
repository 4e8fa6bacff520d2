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
	want := `Example Shop

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
			widths[j] = r.Intn(120)
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

// footer is the shape of Mailchimp's footer: a table of three rows, the
// middle one of two cells with widths meant for a 600-pixel email.
const footer = `<table border="0" cellpadding="10" cellspacing="0" width="100%">
<tr><td colspan="2">&nbsp;<a href="https://t.example/">follow on Twitter</a> | <a href="https://f.example/">friend on Facebook</a>&nbsp;</td></tr>
<tr><td valign="top" width="350"><em>Copyright © 2024 Example Company Limited, All rights reserved.</em><br>
You are receiving this email because you opted in at our website, or bought something from our shop in Belfast.</td>
<td valign="top" width="190">rewards</td></tr>
<tr><td colspan="2"><a href="https://u.example/">unsubscribe from this list</a></td></tr></table>`

// TestLayoutTablesFlow: tables that lay mail out give up their cells'
// text, which flows at the reader's width; tables of data stay tables.
func TestLayoutTablesFlow(t *testing.T) {
	long := "a long cell of words that goes on well past forty characters and more"
	for _, c := range []struct {
		name, src string
		table     bool
	}{
		{"a footer of one wide row among rows of one cell", footer, false},
		{"a table marked as presentation", `<table role="presentation"><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>`, false},
		{"a table 600 pixels wide", `<table width="600"><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>`, false},
		{"a table holding a heading", `<table><tr><td><h2>News</h2></td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>`, false},
		{"a table holding a picture alone", `<table><tr><td><img src="cid:a" alt="logo"></td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>`, false},
		{"a table of data", `<table width="100%"><tr><th>Item</th><th>Price</th></tr><tr><td>Tea</td><td>€3</td></tr><tr><td>Cake</td><td>€4</td></tr></table>`, true},
		{"a table of data with a total row of one cell", `<table><tr><td>Tea</td><td>€3</td></tr><tr><td>Cake</td><td>€4</td></tr><tr><td colspan="2">Total €7</td></tr></table>`, true},
		{"a table of data with a long cell", `<table><tr><td>` + long + `</td><td>€3</td></tr><tr><td>Cake</td><td>€4</td></tr></table>`, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := HTML(c.src)
			tables := 0
			for _, b := range d.Blocks {
				if b.Kind == Table {
					tables++
				}
			}
			if (tables > 0) != c.table {
				t.Fatalf("%d tables: %s", tables, kinds(d))
			}
			lines := Layout(d, 100)
			for _, l := range lines {
				if n := utf8.RuneCountInString(draw(l)); n > 100 {
					t.Errorf("line %q is %d wide", draw(l), n)
				}
			}
			if strings.Contains(c.src, long) && !strings.Contains(drawAll(lines), long) {
				t.Errorf("the long cell wraps short of the width:\n%s", drawAll(lines))
			}
		})
	}
	// The footer's text fills lines of the width: it once wrapped at 40
	// characters, about 200 pixels.
	lines := Layout(HTML(footer), 100)
	widest := 0
	for _, l := range lines {
		widest = max(widest, utf8.RuneCountInString(draw(l)))
	}
	if widest < 90 {
		t.Errorf("the footer's widest line is %d characters of 100:\n%s", widest, drawAll(lines))
	}
}
