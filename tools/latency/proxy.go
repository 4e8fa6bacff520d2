// Package latency is a loopback TCP proxy that delays traffic, to measure
// protocol code over a slow link where tc/netem is unavailable. Each chunk
// is held for the one-way delay in each direction; chunks do not wait for
// each other, so bandwidth is kept and only latency is added.
package latency

import (
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Proxy forwards connections on Addr to a target after a delay.
type Proxy struct {
	Addr   string
	ln     net.Listener
	target string
	wg     sync.WaitGroup
	mu     sync.Mutex
	delay  time.Duration
	conns  []net.Conn
	// flights counts the runs of chunks in one direction, by which side
	// sent them (true: the client), as they reach the proxy.
	flights map[bool]int
	last    *bool
}

// Flights returns how many flights each side has sent since the last
// ResetFlights: runs of chunks in one direction, as they reached the
// proxy, whatever the connection. With one connection, the client waited
// for the server at most once for each server flight that came before
// its last flight.
func (p *Proxy) Flights() (client, server int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.flights[true], p.flights[false]
}

// ResetFlights starts counting flights again.
func (p *Proxy) ResetFlights() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flights, p.last = map[bool]int{}, nil
}

func (p *Proxy) sent(fromClient bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last == nil || *p.last != fromClient {
		p.flights[fromClient]++
		p.last = &fromClient
	}
}

// SetRTT changes the added round trip for chunks read from now on.
func (p *Proxy) SetRTT(rtt time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delay = rtt / 2
}

func (p *Proxy) oneWay() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.delay
}

// New listens on 127.0.0.1:0 and forwards to target, adding rtt/2 each way.
func New(target string, rtt time.Duration) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("latency: %w", err)
	}
	p := &Proxy{Addr: ln.Addr().String(), ln: ln, target: target, delay: rtt / 2, flights: map[bool]int{}}
	go p.serve()
	return p, nil
}

func (p *Proxy) serve() {
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", p.target)
		if err != nil {
			in.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, in, out)
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(out, in, true)
		go p.pipe(in, out, false)
	}
}

type chunk struct {
	data []byte
	due  time.Time
}

// pipe copies src to dst, each chunk no sooner than delay after it was
// read; fromClient says which side src is.
func (p *Proxy) pipe(dst, src net.Conn, fromClient bool) {
	defer p.wg.Done()
	queue := make(chan chunk, 4096)
	go func() {
		defer close(queue)
		for {
			buf := make([]byte, 32<<10)
			n, err := src.Read(buf)
			if n > 0 {
				p.sent(fromClient)
				queue <- chunk{buf[:n], time.Now().Add(p.oneWay())}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range queue {
		time.Sleep(time.Until(c.due))
		if _, err := dst.Write(c.data); err != nil {
			break
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	} else {
		dst.Close()
	}
	io.Copy(io.Discard, src)
}

// Close stops the proxy and its connections.
func (p *Proxy) Close() error {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return nil
}
