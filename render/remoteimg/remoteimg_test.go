package remoteimg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"code.dny.dev/ssrf"

	"popvault/render"
)

// request is what the server was asked.
type request struct {
	path                                    string
	cookie, referer, agent, auth, forwarded string
	plain                                   bool // without TLS
}

// server serves pictures over TLS on loopback and notes every request.
type server struct {
	*httptest.Server
	mu   sync.Mutex
	seen []request
	// plain is a server without TLS: a redirect to it must never reach it.
	plain *httptest.Server
	// For /gate/: requests wait there until more than gateN are in flight
	// at once, or the test opens the gate.
	gate     chan struct{}
	gateN    int
	inFlight int
	most     int
	arrived  chan struct{}
}

func pngOf(t *testing.T, w, h int, noise bool, seed int64) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	if noise {
		r := rand.New(rand.NewSource(seed))
		for i := range img.Pix {
			img.Pix[i] = byte(r.Intn(256))
		}
	} else {
		for i := range img.Pix {
			img.Pix[i] = 200
		}
	}
	img.Set(0, 0, color.Black)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// bomb is a small PNG whose header claims 100,000 by 100,000 pixels.
func bomb(t *testing.T) []byte {
	b := pngOf(t, 3, 3, false, 0)
	ihdr := b[8:33]
	binary.BigEndian.PutUint32(ihdr[8:], 100000)
	binary.BigEndian.PutUint32(ihdr[12:], 100000)
	binary.BigEndian.PutUint32(ihdr[21:], crc32.ChecksumIEEE(ihdr[4:21]))
	return b
}

func newServer(t *testing.T) *server {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	s := &server{gate: make(chan struct{}), arrived: make(chan struct{}, 100)}
	pic := pngOf(t, 100, 50, false, 0)
	noise := pngOf(t, 200, 200, true, seed) // about 160 KB: no compression helps
	pixel := pngOf(t, 1, 1, false, 0)
	s.plain = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.note(r)
		w.Write(pic)
	}))
	t.Cleanup(s.plain.Close)
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.note(r)
		http.SetCookie(w, &http.Cookie{Name: "track", Value: "you"})
		switch p := r.URL.Path; {
		case p == "/pic.png", strings.HasPrefix(p, "/n/"):
			w.Write(pic)
		case p == "/noise.png":
			w.Write(noise)
		case p == "/pixel.png":
			w.Write(pixel)
		case p == "/bomb.png":
			w.Write(bomb(t))
		case p == "/text":
			w.Write([]byte("<html>not a picture</html>"))
		case p == "/missing.png":
			http.NotFound(w, r)
		case p == "/to-https":
			http.Redirect(w, r, s.URL+"/pic.png", http.StatusFound)
		case p == "/to-http":
			http.Redirect(w, r, s.plain.URL+"/pic.png", http.StatusFound)
		case strings.HasPrefix(p, "/loop/"):
			n, _ := strconv.Atoi(p[len("/loop/"):])
			http.Redirect(w, r, s.URL+"/loop/"+strconv.Itoa(n+1), http.StatusFound)
		case p == "/slow.png":
			<-r.Context().Done() // until the client gives up
		case strings.HasPrefix(p, "/gate/"):
			s.mu.Lock()
			s.inFlight++
			s.most = max(s.most, s.inFlight)
			over := s.inFlight > s.gateN
			s.mu.Unlock()
			s.arrived <- struct{}{}
			if over {
				s.open()
			}
			<-s.gate
			s.mu.Lock()
			s.inFlight--
			s.mu.Unlock()
			w.Write(pic)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

var openOnce sync.Mutex

func (s *server) open() {
	openOnce.Lock()
	defer openOnce.Unlock()
	select {
	case <-s.gate:
	default:
		close(s.gate)
	}
}

func (s *server) note(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, request{path: r.URL.Path, cookie: r.Header.Get("Cookie"), referer: r.Header.Get("Referer"),
		agent: r.Header.Get("User-Agent"), auth: r.Header.Get("Authorization"), forwarded: r.Header.Get("X-Forwarded-For"), plain: r.TLS == nil})
}

func (s *server) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.seen...)
}

// loader trusts the server's certificate and allows loopback and its
// port, as only a test may.
func (s *server) loader(lim Limits) *Loader {
	port, _ := strconv.Atoi(s.URL[strings.LastIndexByte(s.URL, ':')+1:])
	plainPort, _ := strconv.Atoi(s.plain.URL[strings.LastIndexByte(s.plain.URL, ':')+1:])
	pool := s.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	return New(Options{Limits: lim, RootCAs: pool, Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
		Ports: []uint16{uint16(port), uint16(plainPort)}})
}

// TestLoad: what a message's pictures may load, and what the server
// sees of the one who loads them.
func TestLoad(t *testing.T) {
	s := newServer(t)
	l := s.loader(Limits{PictureBytes: 64 << 10})
	for _, c := range []struct {
		path string
		want error // nil: a picture
	}{
		{"/pic.png", nil},
		{"/to-https", nil},
		{"/to-http", ErrNotHTTPS},
		{"/loop/0", ErrRedirects},
		{"/noise.png", ErrTooLarge},
		{"/bomb.png", ErrPixels},
		{"/pixel.png", ErrTracking},
		{"/text", ErrNotPicture},
		{"/missing.png", ErrStatus},
	} {
		t.Run(c.path, func(t *testing.T) {
			got := l.Load(t.Context(), []string{s.URL + c.path})[0]
			switch {
			case c.want == nil && (got.Err != nil || got.Image == nil || got.Image.Bounds().Dx() != 100):
				t.Errorf("got %v, %v", got.Image, got.Err)
			case c.want != nil && (!errors.Is(got.Err, c.want) || got.Image != nil):
				t.Errorf("got %v, want %v", got.Err, c.want)
			}
		})
	}
	reqs := s.requests()
	for _, r := range reqs {
		if r.cookie != "" || r.referer != "" || r.auth != "" || r.forwarded != "" {
			t.Errorf("%s was asked with cookie %q, referer %q, authorization %q, forwarded %q", r.path, r.cookie, r.referer, r.auth, r.forwarded)
		}
		if r.agent != UserAgent {
			t.Errorf("%s was asked by %q", r.path, r.agent)
		}
	}
	loops := 0
	for _, r := range reqs {
		if strings.HasPrefix(r.path, "/loop/") {
			loops++
		}
	}
	if loops != DefaultLimits.Redirects+1 {
		t.Errorf("%d requests in the redirect loop, want %d", loops, DefaultLimits.Redirects+1)
	}
	for _, r := range reqs {
		if r.plain {
			t.Errorf("%s was asked for without TLS", r.path)
		}
	}
}

// TestNeverPlainHTTP: an http:// picture and a redirect to one never
// reach the plain server; an address with a password is not loaded.
func TestNeverPlainHTTP(t *testing.T) {
	s := newServer(t)
	l := s.loader(Limits{})
	u, _ := url.Parse(s.URL)
	withPassword := "https://ann:secret@" + u.Host + "/pic.png"
	got := l.Load(t.Context(), []string{s.plain.URL + "/pic.png", s.URL + "/to-http", withPassword})
	if !errors.Is(got[0].Err, ErrNotHTTPS) || !errors.Is(got[1].Err, ErrNotHTTPS) || !errors.Is(got[2].Err, ErrCredentials) {
		t.Errorf("got %v; %v; %v", got[0].Err, got[1].Err, got[2].Err)
	}
	if strings.Contains(got[2].Err.Error(), "secret") {
		t.Errorf("the error shows the password: %v", got[2].Err)
	}
	for _, r := range s.requests() {
		if r.path == "/pic.png" {
			t.Errorf("a picture was asked for: %+v", r)
		}
	}
}

// TestPrivateAddresses: without the test's allowance, no address of
// this machine or its network is connected to, named or not.
func TestPrivateAddresses(t *testing.T) {
	s := newServer(t)
	port, _ := strconv.Atoi(s.URL[strings.LastIndexByte(s.URL, ':')+1:])
	pool := s.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	l := New(Options{RootCAs: pool, Ports: []uint16{uint16(port)}})
	named := strings.Replace(s.URL, "127.0.0.1", "localhost", 1)
	for _, src := range []string{s.URL + "/pic.png", named + "/pic.png", "https://[::1]:" + strconv.Itoa(port) + "/pic.png",
		"https://10.0.0.1:" + strconv.Itoa(port) + "/pic.png", "https://169.254.169.254:" + strconv.Itoa(port) + "/pic.png"} {
		got := l.Load(t.Context(), []string{src})[0]
		if !errors.Is(got.Err, ssrf.ErrProhibitedIP) {
			t.Errorf("%s: %v", src, got.Err)
		}
	}
	if reqs := s.requests(); len(reqs) > 0 {
		t.Errorf("the server was asked %+v", reqs)
	}
	// And a port other than 443 is refused by default.
	if got := New(Options{}).Load(t.Context(), []string{"https://203.0.113.1:8443/x.png"})[0]; !errors.Is(got.Err, ssrf.ErrProhibitedPort) {
		t.Errorf("another port: %v", got.Err)
	}
}

// TestMessageLimits: the limits on all of a message's pictures.
func TestMessageLimits(t *testing.T) {
	s := newServer(t)
	one := int64(len(pngOf(t, 100, 50, false, 0)))
	for _, c := range []struct {
		name string
		lim  Limits
		want error
	}{
		{"bytes", Limits{MessageBytes: 2*one + one/2, Concurrent: 1}, ErrTooManyBytes},
		{"pixels", Limits{MessagePixels: 2 * 100 * 50, Concurrent: 1}, ErrPixels},
		{"pictures", Limits{Pictures: 2}, ErrTooMany},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := s.loader(c.lim)
			srcs := []string{s.URL + "/n/1", s.URL + "/n/2", s.URL + "/n/3", s.URL + "/n/1"}
			got := l.Load(t.Context(), srcs)
			ok, refused := 0, 0
			for _, p := range got[:3] {
				switch {
				case p.Err == nil:
					ok++
				case errors.Is(p.Err, c.want):
					refused++
				default:
					t.Errorf("%s: %v", p.Src, p.Err)
				}
			}
			if ok != 2 || refused != 1 {
				t.Errorf("%d loaded, %d refused", ok, refused)
			}
			if got[3].Image != got[0].Image || got[3].Err != got[0].Err {
				t.Errorf("the same address twice differs")
			}
		})
	}
	// A picture that never comes ends at its time limit.
	got := s.loader(Limits{Picture: 50 * time.Millisecond}).Load(t.Context(), []string{s.URL + "/slow.png"})[0]
	if got.Err == nil || got.Image != nil {
		t.Errorf("a picture that never came: %v", got.Err)
	}
}

// TestConcurrent: no more requests at once than the limit. The server
// holds the requests until more than the limit are in flight (the
// loader failed), or until the test knows that the loader holds every
// other picture back.
func TestConcurrent(t *testing.T) {
	s := newServer(t)
	const limit, n = 2, 6
	s.gateN = limit
	l := s.loader(Limits{Concurrent: limit})
	waiting := make(chan struct{}, n)
	l.waiting = func() { waiting <- struct{}{} }
	var srcs []string
	for i := range n {
		srcs = append(srcs, s.URL+"/gate/"+strconv.Itoa(i))
	}
	done := make(chan []Picture)
	go func() { done <- l.Load(t.Context(), srcs) }()
	var got []Picture
	for arrived, waited := 0, 0; got == nil && (arrived < limit || waited < n-limit); {
		select {
		case <-s.arrived:
			arrived++
		case <-waiting:
			waited++
		case got = <-done:
		}
	}
	if got == nil {
		s.open()
		got = <-done
	}
	for _, p := range got {
		if p.Err != nil {
			t.Errorf("%s: %v", p.Src, p.Err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.most > limit {
		t.Errorf("%d requests at once, limit %d", s.most, limit)
	}
}

// TestFromMessage: the pictures render lists for a newsletter, loaded:
// its tracking pixel is never asked for, nor its hidden picture.
func TestFromMessage(t *testing.T) {
	s := newServer(t)
	body := `<div style="display:none"><img src="` + s.URL + `/n/hidden"></div><p><img src="` + s.URL + `/n/logo" alt="Shop">` +
		`<img src="` + s.URL + `/n/open" width="1" height="1"></p><p>Hello <img src="` + s.URL + `/n/hero" alt="spring"></p>`
	d := render.HTML(body)
	pics := s.loader(Limits{}).Load(t.Context(), d.Remote)
	var paths []string
	for _, r := range s.requests() {
		paths = append(paths, r.path)
	}
	if got := strings.Join(paths, " "); got != "/n/logo /n/hero" && got != "/n/hero /n/logo" {
		t.Errorf("asked for %s", got)
	}
	loaded := map[string]bool{}
	for _, p := range pics {
		if p.Err != nil {
			t.Errorf("%s: %v", p.Src, p.Err)
		}
		loaded[p.Src] = true
	}
	lines := render.Layout(d, 80)
	withPictures, _ := render.LayoutWith(t.Context(), d, 80, render.Options{Loaded: func(src string) bool { return loaded[src] }})
	count := func(lines []render.Line) (n int) {
		for _, l := range lines {
			if l.Img != nil {
				n++
			}
		}
		return n
	}
	if count(lines) != 0 || count(withPictures) != 2 {
		t.Errorf("%d picture lines before loading, %d after", count(lines), count(withPictures))
	}
}

func TestSender(t *testing.T) {
	for _, c := range []struct {
		from, key string
		ok        bool
	}{
		{"News <News@Shop.Example>", "news@shop.example", true},
		{"news@shop.example", "news@shop.example", true},
		{"Doe, John <j@x.example>", "j@x.example", true},
		{"a@x.example, b@x.example", "", false},
		{"", "", false},
		{"nobody", "", false},
	} {
		key, ok := Sender(c.from)
		if key != c.key || ok != c.ok {
			t.Errorf("Sender(%q) = %q, %v", c.from, key, ok)
		}
	}
	always := []string{"news@shop.example"}
	for from, want := range map[string]bool{
		"Shop <NEWS@shop.example>":   true,
		"Shop <other@shop.example>":  false,
		"news@shop.example.evil.org": false,
		"":                           false,
	} {
		if got := Automatic(from, always); got != want {
			t.Errorf("Automatic(%q) = %v", from, got)
		}
	}
	if Automatic("news@shop.example", nil) {
		t.Error("an empty list loads pictures")
	}
}
