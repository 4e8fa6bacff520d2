// Package remoteimg fetches the pictures on the web that a message
// shows (render's Doc.Remote), when the person asks for them: render
// itself never loads anything.
//
// Loading a message's pictures tells their sender that it was opened,
// and when, and from which address: so it is off by default, and then
// done as anonymously and as cheaply as it can be. Over HTTPS only
// (http:// is refused, and so is a redirect to it); without cookies, a
// Referer or credentials; with one fixed User-Agent that names neither
// popvault nor the system; never to a private, loopback or other special
// address (each address connected to is checked, after the name is
// resolved, so a name that resolves anew cannot reach the local
// network); within limits of time, bytes and decoded pixels per picture
// and per message, a few at a time. A tracking pixel is never asked for
// (render leaves it out of Doc.Remote) and, where the mail hid its size,
// never returned.
package remoteimg

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // the formats mail's pictures come in
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"

	"code.dny.dev/ssrf"
	_ "golang.org/x/image/webp"
)

// UserAgent is what every request says it comes from: the same for
// everyone, naming neither popvault nor the system.
const UserAgent = "Mozilla/5.0"

// Limits bound what one message's pictures may cost. A zero field takes
// DefaultLimits' value.
type Limits struct {
	Picture time.Duration // one picture: connecting, redirects and body
	Message time.Duration // all of a message's pictures

	PictureBytes int64 // one picture's body, as received
	MessageBytes int64 // all of a message's bodies

	// PicturePixels is the most pixels (width × height) one picture may
	// decode to, read from its header before it is decoded; MessagePixels
	// is the most all of a message's may. A window that keeps its own
	// budget of decoded pixels per message should keep it no smaller.
	PicturePixels int
	MessagePixels int

	Pictures   int // pictures fetched per message; the rest are left
	Concurrent int // requests at once
	Redirects  int // followed per picture
}

// DefaultLimits are the limits of New(Options{}).
var DefaultLimits = Limits{
	Picture:       15 * time.Second,
	Message:       60 * time.Second,
	PictureBytes:  5 << 20,
	MessageBytes:  25 << 20,
	PicturePixels: 4096 * 4096,
	MessagePixels: 24 << 20,
	Pictures:      100,
	Concurrent:    4,
	Redirects:     5,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.Picture > 0 {
		d.Picture = l.Picture
	}
	if l.Message > 0 {
		d.Message = l.Message
	}
	if l.PictureBytes > 0 {
		d.PictureBytes = l.PictureBytes
	}
	if l.MessageBytes > 0 {
		d.MessageBytes = l.MessageBytes
	}
	if l.PicturePixels > 0 {
		d.PicturePixels = l.PicturePixels
	}
	if l.MessagePixels > 0 {
		d.MessagePixels = l.MessagePixels
	}
	if l.Pictures > 0 {
		d.Pictures = l.Pictures
	}
	if l.Concurrent > 0 {
		d.Concurrent = l.Concurrent
	}
	if l.Redirects > 0 {
		d.Redirects = l.Redirects
	}
	return d
}

// Options configure a Loader; the zero value is what popvault uses.
type Options struct {
	Limits Limits

	// For tests, which serve pictures from this machine: certificates to
	// trust instead of the system's, addresses to allow though they are
	// private or loopback, and the ports allowed (443 when empty).
	RootCAs *x509.CertPool
	Allow   []netip.Prefix
	Ports   []uint16
}

// Errors a picture may come with; each comes wrapped, with the package's
// name and the address.
var (
	ErrNotHTTPS     = errors.New("only pictures over HTTPS are loaded")
	ErrCredentials  = errors.New("an address with a user name or password is not loaded")
	ErrRedirects    = errors.New("too many redirects")
	ErrTooLarge     = errors.New("the picture is larger than the limit")
	ErrTooManyBytes = errors.New("the message's pictures together are larger than the limit")
	ErrPixels       = errors.New("the picture has more pixels than the limit")
	ErrTooMany      = errors.New("the message has more pictures than the limit")
	ErrNotPicture   = errors.New("not a picture popvault can show")
	ErrTracking     = errors.New("a tracking pixel")
	ErrStatus       = errors.New("the server did not send the picture")
)

// Picture is one picture asked for: decoded, or why not.
type Picture struct {
	Src    string      // the address as the message has it
	Image  image.Image // nil where Err is set
	Format string      // "png", "jpeg", "gif", "webp"
	Err    error
}

// Loader fetches pictures; it is safe for concurrent use, and keeps
// connections open between messages.
type Loader struct {
	limits Limits
	client *http.Client
	// waiting, when set, is called as a picture waits for its turn: for a
	// test to know that no more requests will start.
	waiting func()
}

// New makes a Loader. It does no I/O.
func New(opts Options) *Loader {
	lim := opts.Limits.withDefaults()
	ports := opts.Ports
	if len(ports) == 0 {
		ports = []uint16{443}
	}
	var v4, v6 []netip.Prefix
	for _, p := range opts.Allow {
		if p.Addr().Is4() {
			v4 = append(v4, p)
		} else {
			v6 = append(v6, p)
		}
	}
	// The guard checks each address as it is connected to: after the
	// name was resolved, whatever it resolved to, so DNS rebinding has
	// nothing to slip through.
	guard := ssrf.New(ssrf.WithPorts(ports...), ssrf.WithAllowedV4Prefixes(v4...), ssrf.WithAllowedV6Prefixes(v6...))
	dialer := &net.Dialer{Timeout: lim.Picture, Control: guard.Safe}
	transport := &http.Transport{
		Proxy:                  nil, // a proxy would connect for us, past the guard
		DialContext:            dialer.DialContext,
		TLSClientConfig:        &tls.Config{RootCAs: opts.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    lim.Picture,
		ResponseHeaderTimeout:  lim.Picture,
		MaxResponseHeaderBytes: 64 << 10,
		MaxIdleConnsPerHost:    lim.Concurrent,
		IdleConnTimeout:        90 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	client := &http.Client{
		Transport: transport,
		Jar:       nil, // no cookies, kept or sent
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > lim.Redirects {
				return ErrRedirects
			}
			if err := check(req.URL); err != nil {
				return err
			}
			// Go's client adds the page redirected from as the Referer.
			req.Header.Del("Referer")
			return nil
		},
	}
	return &Loader{limits: lim, client: client}
}

// Limits are the loader's limits, its options' with defaults filled in.
func (l *Loader) Limits() Limits { return l.limits }

// Load fetches the pictures at srcs (each once), at most the limit's
// number of them and within its time, and returns one Picture for each
// address, in order. It returns when all are done or ctx is.
func (l *Loader) Load(ctx context.Context, srcs []string) []Picture {
	ctx, cancel := context.WithTimeout(ctx, l.limits.Message)
	defer cancel()
	out := make([]Picture, len(srcs))
	b := &budget{bytes: l.limits.MessageBytes, pixels: int64(l.limits.MessagePixels)}
	first := map[string]int{}
	sem := make(chan struct{}, l.limits.Concurrent)
	var wg sync.WaitGroup
	fetched := 0
	for i, src := range srcs {
		out[i].Src = src
		if _, ok := first[src]; ok {
			continue // filled in below
		}
		first[src] = i
		if fetched >= l.limits.Pictures {
			out[i].Err = fmt.Errorf("%w (%d)", ErrTooMany, l.limits.Pictures)
			continue
		}
		fetched++
		wg.Add(1)
		go func(p *Picture) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			default:
				if l.waiting != nil {
					l.waiting()
				}
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					p.Err = fmt.Errorf("remoteimg: %s: %w", redact(p.Src), ctx.Err())
					return
				}
			}
			defer func() { <-sem }()
			p.Image, p.Format, p.Err = l.fetch(ctx, p.Src, b)
		}(&out[i])
	}
	wg.Wait()
	for i, src := range srcs {
		if j := first[src]; j != i {
			out[i] = out[j]
		}
	}
	return out
}

// budget is what is left of a message's bytes and pixels, taken as
// pictures arrive.
type budget struct {
	mu     sync.Mutex
	bytes  int64
	pixels int64
}

// take takes n from *left, if that much is left.
func (b *budget) take(left *int64, n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n > *left {
		return false
	}
	*left -= n
	return true
}

// reader counts a body's bytes against the message's budget as they
// arrive, so that pictures fetched at once cannot together pass it.
type reader struct {
	r io.Reader
	b *budget
}

func (r reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if n > 0 && !r.b.take(&r.b.bytes, int64(n)) {
		return n, ErrTooManyBytes
	}
	return n, err
}

// check refuses an address that is not HTTPS, or that carries a user
// name or password.
func check(u *url.URL) error {
	if !strings.EqualFold(u.Scheme, "https") || u.Host == "" {
		return ErrNotHTTPS
	}
	if u.User != nil {
		return ErrCredentials
	}
	return nil
}

// fetch gets and decodes one picture.
func (l *Loader) fetch(ctx context.Context, src string, b *budget) (image.Image, string, error) {
	fail := func(err error) (image.Image, string, error) {
		return nil, "", fmt.Errorf("remoteimg: %s: %w", redact(src), err)
	}
	u, err := url.Parse(strings.TrimSpace(src))
	if err != nil {
		return fail(ErrNotHTTPS)
	}
	if strings.HasPrefix(src, "//") {
		u.Scheme = "https"
	}
	if err := check(u); err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(ctx, l.limits.Picture)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fail(err)
	}
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Accept", "image/png,image/jpeg,image/gif,image/webp;q=0.9,*/*;q=0.5")
	resp, err := l.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // its text repeats the address, which may be long
		}
		return fail(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fail(fmt.Errorf("%w (%s)", ErrStatus, resp.Status))
	}
	if resp.ContentLength > l.limits.PictureBytes {
		return fail(ErrTooLarge)
	}
	data, err := io.ReadAll(reader{io.LimitReader(resp.Body, l.limits.PictureBytes+1), b})
	if err != nil {
		return fail(err)
	}
	if int64(len(data)) > l.limits.PictureBytes {
		return fail(ErrTooLarge)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return fail(ErrNotPicture)
	}
	if cfg.Width <= 2 || cfg.Height <= 2 {
		return fail(ErrTracking)
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	if pixels > int64(l.limits.PicturePixels) {
		return fail(ErrPixels)
	}
	if !b.take(&b.pixels, pixels) {
		return fail(fmt.Errorf("%w: the message's pictures together have more", ErrPixels))
	}
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return fail(fmt.Errorf("%w: %v", ErrNotPicture, err))
	}
	return img, format, nil
}

// redact is an address for an error's text: without a user name or
// password, nor its query, which may name the person (newsletters put
// who opened them there).
func redact(src string) string {
	if u, err := url.Parse(src); err == nil {
		u.User, u.RawQuery, u.Fragment, u.RawFragment = nil, "", "", ""
		src = u.String()
	} else if i := strings.IndexAny(src, "?#@"); i >= 0 {
		src = src[:i]
	}
	if len(src) > 200 {
		src = src[:200] + "…"
	}
	return src
}
