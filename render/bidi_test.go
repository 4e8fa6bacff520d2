package render

import "testing"

func TestVisual(t *testing.T) {
	for _, c := range []struct {
		in, want string
		rtl      bool
	}{
		{"plain English", "plain English", false},
		{"مرحبا بكم في النشرة", "النشرة في بكم مرحبا", true},
		{"שלום, זוהי הודעה.", ".הודעה זוהי ,שלום", true},
		{"Order 42: שלום עולם today", "Order 42: עולם שלום today", false},
		{"会議は明日です", "会議は明日です", false},
	} {
		got, rtl := Visual(c.in)
		if got != c.want || rtl != c.rtl {
			t.Errorf("Visual(%q) = %q, %v; want %q, %v", c.in, got, rtl, c.want, c.rtl)
		}
	}
}
