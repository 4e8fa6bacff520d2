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
<img src="&#104;ttp://entity.example/a.png" alt="entity"><img src="ht&#116;p://entity2.example/a.png">
<p style="color: green; background: url(http://styleattr.example/bg.png)">Seeds and bulbs.</p>
<ul style="list-style: url(http://liststyle.example/dot.png)"><li>Tulips</li></ul>
<table background="http://table.example/t.png"><tr><td>cell</td></tr></table>
<img src="//protorel.example/a.png"><a href="//protorel-link.example/share">share</a>
</body></html>`

// loadInChromium opens the page in headless Chromium, every connection
// sent to a proxy here that notes the host asked for, and returns the
// page's DOM once loaded and the hosts asked for. Under -short (make
// check) the test skips.
func loadInChromium(t *testing.T, page []byte) (string, []string) {
	t.Helper()
	if testing.Short() {
		t.Skip("needs Chromium: make check (-short) skips it, make test runs it")
	}
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
// it renders, and asks for nothing outside the file; nor does it with
// its Content-Security-Policy taken out, so the sanitizer and the
// address fence hold on their own. The same mail as it came,
// unsanitized, asks for its pictures: so the probe can see a load.
func TestPageInBrowser(t *testing.T) {
	page := Page("news", hostile, func(string) (string, []byte, bool) { return "", nil, false })
	checkPage(t, page)
	policy := `<meta http-equiv="Content-Security-Policy" content="` + csp + `">`
	unfenced := strings.Replace(string(page), policy, "", 1)
	if unfenced == string(page) {
		t.Fatal("the page has no Content-Security-Policy to take out")
	}
	for name, p := range map[string][]byte{"the page": page, "the page without its policy": []byte(unfenced)} {
		dom, hosts := loadInChromium(t, p)
		if !strings.Contains(dom, "What's new this spring") || !strings.Contains(dom, "Our garden range is back.") || !strings.Contains(dom, "Seeds and bulbs.") {
			t.Errorf("%s did not render: %.500s", name, dom)
		}
		for _, h := range hosts {
			if strings.Contains(h, ".example") {
				t.Errorf("%s asked for %s", name, h)
			}
		}
	}
	_, hosts := loadInChromium(t, []byte(hostile))
	if seen := strings.Join(hosts, " "); !strings.Contains(seen, "img.example") || !strings.Contains(seen, "entity.example") {
		t.Errorf("the unsanitized mail asked for nothing through the proxy (%v): the probe sees nothing", hosts)
	}
}
