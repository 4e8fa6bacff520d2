package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"popvault/fetch/pop3test"
)

// TestStatusOnAMovedClock: status says each account's health and exits 1
// when one is failing or stale: healthy just after a fetch, stale a day
// and more later, failing once its server refuses the password.
func TestStatusOnAMovedClock(t *testing.T) {
	good := pop3test.NewTLSServer(pop3test.Config{Messages: []pop3test.Message{{UID: "1", Data: []byte("Subject: one\r\n\r\nhi\r\n")}}})
	defer good.Close()
	v := newVault(t)
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	v.now = func() time.Time { return now }
	v.addOn(good, "home", "secret")
	v.ok("", "fetch", "--quiet")

	now = now.Add(2 * time.Hour)
	out, errs, code := v.run("", "status")
	if code != 0 || out != "home: last backup 2 hours ago, 1 messages\n" {
		t.Fatalf("healthy: exit %d, %q, %q", code, out, errs)
	}

	now = now.Add(23 * time.Hour)
	out, errs, code = v.run("", "status")
	if code != 1 || !strings.HasPrefix(out, "home: no backup for 25 hours, 1 messages") || !strings.Contains(errs, "1 of 1 accounts need attention: home") {
		t.Fatalf("stale: exit %d, %q, %q", code, out, errs)
	}
	if out, _, code := v.run("", "status", "--stale", "2d"); code != 0 || !strings.HasPrefix(out, "home: last backup 25 hours ago") {
		t.Fatalf("--stale 2d: exit %d, %q", code, out)
	}

	wrong := pop3test.NewTLSServer(pop3test.Config{User: "alice", Password: "changed"})
	defer wrong.Close()
	v.addOn(wrong, "old isp", "secret")
	_, errs, code = v.run("", "fetch", "--quiet", "--account", "old isp")
	if code != 1 {
		t.Fatalf("a fetch with a wrong password: exit %d, %q", code, errs)
	}
	now = now.Add(3 * 24 * time.Hour)
	v.run("", "fetch", "--quiet")
	out, _, code = v.run("", "status", "--json")
	var lines []statusLine
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var l statusLine
		if err := dec.Decode(&l); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, l)
	}
	if code != 1 || len(lines) != 2 {
		t.Fatalf("failing: exit %d, %s", code, out)
	}
	if l := lines[0]; l.Account != "home" || l.State != "ok" || l.Messages != 1 {
		t.Errorf("home: %+v", l)
	}
	if l := lines[1]; l.Account != "old isp" || l.State != "failing" || l.Words != "the server refused the password" ||
		!strings.HasPrefix(l.Line, "old isp: failing for 3 days: the server refused the password") || l.LastSuccess != nil {
		t.Errorf("old isp: %+v", l)
	}
}
