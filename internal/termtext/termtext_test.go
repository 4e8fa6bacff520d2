package termtext

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestClean(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"plain text stays":          {"Grüße, 東京\tand\nlines", "Grüße, 東京\tand\nlines"},
		"ESC and BEL":               {"a\x1b]0;pwned\x07b", "a]0;pwnedb"},
		"OSC 52 clipboard":          {"\x1b]52;c;ZXZpbA==\x1b\\ok", "]52;c;ZXZpbA==\\ok"},
		"CR and backspace":          {"safe\rrm -rf\bx", "saferm -rfx"},
		"DEL":                       {"a\x7fb", "ab"},
		"C1 CSI as a rune":          {"a\u009b2Jb", "a2Jb"},
		"C1 CSI as a lone byte":     {"a\x9b2Jb", "a\uFFFD2Jb"},
		"bidi override":             {"invoice\u202Efdp.exe", "invoicefdp.exe"},
		"bidi isolates":             {"a\u2066b\u2069c\u2067d\u2068e", "abcde"},
		"bidi embeddings":           {"\u202Ax\u202By\u202Cz\u202D", "xyz"},
		"a real replacement stays":  {"a\uFFFDb", "a\uFFFDb"},
		"NUL":                       {"a\x00b", "ab"},
		"left-to-right mark stays":  {"a\u200Eb", "a\u200Eb"},
		"invalid UTF-8 is replaced": {"\xff\xfe", "\uFFFD"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Clean(tt.in); got != tt.want {
				t.Fatalf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// A rune split across writes comes out whole, and a control split from
// its neighbours is still dropped.
func TestWriterSplitRunes(t *testing.T) {
	in := []byte("ab\u202Ecd\u009b東京\x1bz")
	for split := 0; split <= len(in); split++ {
		var out bytes.Buffer
		w := NewWriter(&out)
		for _, part := range [][]byte{in[:split], in[split:]} {
			if n, err := w.Write(part); err != nil || n != len(part) {
				t.Fatalf("split %d: wrote %d, %v", split, n, err)
			}
		}
		if got, want := out.String(), "abcd東京z"; got != want {
			t.Fatalf("split at %d: %q, want %q", split, got, want)
		}
	}
}

// JSON keeps its meaning and loses what a terminal would act on.
func TestEscapeJSON(t *testing.T) {
	in := "subject \x1b[2J \u009b \u202e \x7f end"
	b, _ := json.Marshal(map[string]string{"s": in})
	out := EscapeJSON(b)
	if Clean(string(out)) != string(out) {
		t.Fatalf("escaped JSON still holds controls: %q", out)
	}
	var back map[string]string
	if err := json.Unmarshal(out, &back); err != nil || back["s"] != in {
		t.Fatalf("round trip: %q, %v", back["s"], err)
	}
}
