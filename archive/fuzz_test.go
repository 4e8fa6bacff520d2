package archive

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"From: a@x\r\nSubject: =?UTF-8?B?w6l0w6k=?=\r\n\r\nbody\r\n",
	"Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\n\xf0\xd2\xc9\r\n--b\r\nContent-Disposition: attachment; filename=../../x\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!notbase64\r\n--b--\r\n",
	"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\nx\r\n",
	"Subject: \x00\xff\xfe\r\nDate: Mon, 99 Foo 2023\r\n\r\n",
	"\r\n\r\n",
	"",
	"Content-Type: text/plain; charset=x-unknown\r\n\r\nabc",
}

// FuzzExtract: indexing any bytes must not panic, and what it keeps must
// be valid UTF-8 with no control characters.
func FuzzExtract(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s := extract(raw, time.Unix(0, 0))
		for _, field := range []string{s.From, s.To, s.Cc, s.Subject} {
			if !utf8.ValidString(field) || bytes.ContainsAny([]byte(field), "\x00\x1b\r\n") {
				t.Fatalf("unclean field %q", field)
			}
		}
		if s.Size != int64(len(raw)) {
			t.Fatal("size")
		}
		s.ID, s.Refs = 7, []Ref{{"a", "u"}}
		back, err := decodeSummary(7, s.encode())
		if err != nil || back.Subject != s.Subject || back.From != s.From || back.Refs[0] != s.Refs[0] ||
			strings.Join(back.Parents, " ") != strings.Join(s.Parents, " ") || len(s.Parents) > maxParents {
			t.Fatalf("record round trip: %+v, %v", back, err)
		}
	})
}

// FuzzView: storing and viewing any bytes must not panic, must return the
// bytes unchanged, and must offer only bare attachment names.
func FuzzView(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	a := openTemp(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		st, err := a.Store([]Incoming{{Account: "fuzz", Raw: raw}})
		if err != nil {
			t.Fatal(err)
		}
		v, err := a.View(st[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, att := range v.Attachments {
			if att.Name == "" || bytes.ContainsAny([]byte(att.Name), "/\\") || att.Name[0] == '.' {
				t.Fatalf("unsafe attachment name %q", att.Name)
			}
		}
		back, err := a.Raw(st[0].ID)
		if err != nil || !bytes.Equal(back, raw) {
			t.Fatal("raw bytes changed")
		}
	})
}

// FuzzDecodeSummary: a corrupt record is an error, never a panic or a huge
// allocation.
func FuzzDecodeSummary(f *testing.F) {
	s := &Summary{Subject: "x", Refs: []Ref{{"a", "b"}}}
	f.Add(s.encode())
	f.Add([]byte{1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		decodeSummary(1, b)
	})
}
