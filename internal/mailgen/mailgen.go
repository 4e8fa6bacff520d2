// Package mailgen generates realistic RFC 5322 messages for tests and
// benchmarks: a reproducible mix of sizes, plain and multipart bodies,
// encoded-word subjects and base64 attachments.
package mailgen

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Message is one generated message.
type Message struct {
	MessageID string // without angle brackets
	Subject   string // decoded
	Data      []byte // CRLF line endings
}

var words = strings.Fields(`the of and to in is that for it as was with be by on not he this are or his
from at which but have an they you were her all she there would their we him been has when who will no
more if out so said what up its about into than them can only other new some could time these two may
then do first any my now such like our over man me even most made after also did many before must
through back years where much your way well down should because each just those people mister how too
little state good very make world still own see men work long get here between both life being under
never day same another know while last might us great old year off come since against go came right
used take three invoice meeting report budget quarterly schedule review draft project customer order
shipment delivery holiday weekend photos family dinner garden train ticket flight hotel booking`)

// Sizes is the mix: mostly 2-30 KB, some to 100 KB, and one in twenty
// carrying a 0.1-2 MB attachment.
func size(r *rand.Rand) (text int, attach int) {
	switch p := r.IntN(100); {
	case p < 80:
		return 2000 + r.IntN(28000), 0
	case p < 95:
		return 30000 + r.IntN(70000), 0
	default:
		return 1000 + r.IntN(4000), 100_000 + r.IntN(1_900_000)
	}
}

// Corpus returns n messages generated from seed; the same seed gives the
// same bytes.
func Corpus(n int, seed uint64) []Message {
	g := New(seed)
	out := make([]Message, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

// Generator yields the messages of Corpus one at a time, for corpora too
// large to hold.
type Generator struct {
	r *rand.Rand
	i int
}

// New returns a generator for seed.
func New(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

// Next returns the next message of the usual size mix.
func (g *Generator) Next() Message {
	text, attach := size(g.r)
	g.i++
	return Generate(g.r, g.i-1, text, attach)
}

// NextSmall returns a 2-8 KB text message, for index-bound benchmarks
// where bodies do not matter.
func (g *Generator) NextSmall() Message {
	g.i++
	return Generate(g.r, g.i-1, 2000+g.r.IntN(6000), 0)
}

// Generate builds message i with about text bytes of body text and, when
// attach > 0, an attachment of that many bytes.
func Generate(r *rand.Rand, i, text, attach int) Message {
	id := fmt.Sprintf("%d.%x@mailgen.example", i, r.Uint64())
	subject := sentence(r, 3+r.IntN(6))
	encoded := subject
	if i%7 == 3 {
		subject = "Grüße: " + subject
		encoded = "=?UTF-8?Q?Gr=C3=BC=C3=9Fe:?= " + encoded
	}
	date := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 37 * time.Minute)
	var b strings.Builder
	fmt.Fprintf(&b, "Return-Path: <%s>\r\n", person(r, i))
	fmt.Fprintf(&b, "From: %s <%s>\r\n", name(r), person(r, i))
	fmt.Fprintf(&b, "To: %s <%s>\r\n", name(r), person(r, i+1))
	fmt.Fprintf(&b, "Subject: %s\r\n", encoded)
	fmt.Fprintf(&b, "Date: %s\r\n", date.Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%s>\r\nMIME-Version: 1.0\r\n", id)
	if attach == 0 {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\n\r\n")
		paragraphs(r, &b, text)
		return Message{MessageID: id, Subject: subject, Data: []byte(b.String())}
	}
	boundary := fmt.Sprintf("=_mailgen_%x", r.Uint64())
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n", boundary)
	paragraphs(r, &b, text)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: application/pdf; name=\"file%d.pdf\"\r\n", boundary, i)
	fmt.Fprintf(&b, "Content-Disposition: attachment; filename=\"file%d.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", i)
	blob := make([]byte, attach+8)
	for j := 0; j < attach; j += 8 {
		binary.LittleEndian.PutUint64(blob[j:], r.Uint64())
	}
	blob = blob[:attach]
	enc := base64.StdEncoding.EncodeToString(blob)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	fmt.Fprintf(&b, "%s\r\n--%s--\r\n", enc, boundary)
	return Message{MessageID: id, Subject: subject, Data: []byte(b.String())}
}

func sentence(r *rand.Rand, n int) string {
	w := make([]string, n)
	for i := range w {
		w[i] = words[r.IntN(len(words))]
	}
	return strings.Join(w, " ")
}

func paragraphs(r *rand.Rand, b *strings.Builder, size int) {
	for start := b.Len(); b.Len()-start < size; {
		line := sentence(r, 8+r.IntN(6))
		b.WriteString(strings.ToUpper(line[:1]) + line[1:] + ".\r\n")
		if r.IntN(6) == 0 {
			b.WriteString("\r\n")
		}
	}
}

var first = []string{"Ada", "Brian", "Chloé", "Dmitri", "Eve", "Farah", "Günter", "Hiro", "Ines", "Jamal"}
var last = []string{"Lovelace", "Kernighan", "Dubois", "Ivanov", "Smith", "Haddad", "Schmidt", "Tanaka", "Costa", "Okafor"}

func name(r *rand.Rand) string {
	return first[r.IntN(len(first))] + " " + last[r.IntN(len(last))]
}

func person(r *rand.Rand, i int) string {
	return fmt.Sprintf("user%d@example%d.org", (i*31+r.IntN(5))%97, i%13)
}
