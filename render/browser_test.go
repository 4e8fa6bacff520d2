package render

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// hostile is HTML mail that reaches out every way a page can.
const hostile = `<html><head><link rel="stylesheet" href="http://style.example/s.css">
<script src="http://js.example/x.js"></script><style>body{background:url(http://css.example/bg.png)}</style></head>
<body><h2>What's new this spring</h2><img src="http://img.example/hero.jpg" alt="hero">
<p style="background-image:url(http://inline.example/bg.png)">Our garden range is back.</p>
<iframe src="http://frame.example/"></iframe><object data="http://object.example/x"></object>
<form action="http://form.example/"><input type="image" src="http://input.example/i.png"></form>
<video poster="http://video.example/p.png"></video><img srcset="http://srcset.example/a.png 2x">
</body></html>`

// loadInChromium opens the page in headless Chromium, every connection
// sent to a proxy here that notes the host asked for, and returns the
// page's DOM once loaded and the hosts asked for.
func loadInChromium(t *testing.T, page []byte) (string, []string) {
	t.Helper()
	if _, err := exec.LookPath("chromium"); err != nil {
		t.Fatal("chromium is not installed: make test installs it")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var hosts []string
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				line, _ := bufio.NewReader(c).ReadString('\n')
				if f := strings.Fields(line); len(f) >= 2 {
					mu.Lock()
					hosts = append(hosts, f[1]) // CONNECT host:443 or GET http://host/...
					mu.Unlock()
				}
				c.Write([]byte("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"))
			}()
		}
	}()
	dir := t.TempDir()
	path := filepath.Join(dir, "message.html")
	if err := os.WriteFile(path, page, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--proxy-server=http://"+ln.Addr().String(),
		"--proxy-bypass-list=<-loopback>", "--virtual-time-budget=5000", "--dump-dom", "file://"+path)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	return string(out), append([]string(nil), hosts...)
}

// TestPageInBrowser loads the View in browser page in a real browser:
// it renders, and asks for nothing outside the file. The same mail as it
// came, unsanitized, asks for its pictures: so the probe can see a load.
func TestPageInBrowser(t *testing.T) {
	dom, hosts := loadInChromium(t, Page("news", hostile, func(string) (string, []byte, bool) { return "", nil, false }))
	if !strings.Contains(dom, "What's new this spring") || !strings.Contains(dom, "Our garden range is back.") {
		t.Errorf("the page did not render: %.500s", dom)
	}
	for _, h := range hosts {
		if strings.Contains(h, ".example") {
			t.Errorf("the page asked for %s", h)
		}
	}
	_, hosts = loadInChromium(t, []byte(hostile))
	if !strings.Contains(strings.Join(hosts, " "), "img.example") {
		t.Errorf("the unsanitized mail asked for nothing through the proxy (%v): the probe sees nothing", hosts)
	}
}
