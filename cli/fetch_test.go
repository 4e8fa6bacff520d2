package cli

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestCLIKeepMode(t *testing.T) {
	d, msgs := startDovecot(t, 120)
	v := newVault(t)
	v.addAccount(d, "home", "tls", true)
	if out := v.ok("", "account", "list"); !strings.Contains(out, "home") || !strings.Contains(out, "keep") {
		t.Fatalf("account list:\n%s", out)
	}
	_, errs, _ := v.run("", "fetch")
	if !strings.Contains(errs, "home: 120 new") {
		t.Fatalf("fetch said %q", errs)
	}
	if _, errs, code := v.run("", "fetch", "--account", "home", "--quiet"); code != 0 || errs != "" {
		t.Fatalf("a quiet fetch: exit %d, stderr %q", code, errs)
	}
	if n, _ := d.Retrieved(); n != 120 {
		t.Fatalf("Dovecot served %d retrievals over two fetches, want 120", n)
	}
	v.checkExact(msgs)
	list := v.listJSON("--account", "home", "--limit", "1")
	if len(list) != 1 || list[0].Account != "home" || list[0].UID == "" || list[0].MessageID == "" || list[0].Date == "" {
		t.Fatalf("list entry %+v", list)
	}
	if _, err := time.Parse(time.RFC3339, list[0].Date); err != nil {
		t.Fatal(err)
	}
	if out := v.ok("", "verify"); !strings.HasPrefix(out, "OK: 120 messages") {
		t.Fatalf("verify: %s", out)
	}
	show := v.ok("", "show", strconv.FormatUint(list[0].ID, 10))
	if !strings.Contains(show, "Subject: "+list[0].Subject) {
		t.Fatalf("show:\n%.300s", show)
	}
}
