package health_test

import (
	"strings"
	"testing"
	"time"

	"popvault/fetch"
	"popvault/health"
	"popvault/health/healthtest"
)

// TestCasesSaidAlike: each failure of the shared table is said as the
// table says, both as the window and the command line show it
// (ExplainAccount) and as the account's record keeps it for status and
// notifications (Record.Add); nothing a server sent reaches a person
// with its control characters.
func TestCasesSaidAlike(t *testing.T) {
	for _, c := range healthtest.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			ex := health.ExplainAccount(c.Account, c.Err)
			if ex.Words != c.Words || ex.Sentence != c.Sentence || ex.Kind != c.Kind || ex.ServerSaid != c.ServerSaid {
				t.Errorf("ExplainAccount:\n got %q / %q / kind %d / %q\nwant %q / %q / kind %d / %q",
					ex.Words, ex.Sentence, ex.Kind, ex.ServerSaid, c.Words, c.Sentence, c.Kind, c.ServerSaid)
			}
			if !strings.Contains(ex.Fix, c.Command) || (c.Kind != health.FixNone) != (ex.Fix != "") {
				t.Errorf("the fix %q does not give %q", ex.Fix, c.Command)
			}
			var rec health.Record
			rec.Add(c.Account, fetch.Result{Account: c.Account.Name, Err: c.Err}, time.Now())
			if rec.Words != c.Words || rec.Fix != ex.Fix {
				t.Errorf("the record says %q, %q; the window %q, %q", rec.Words, rec.Fix, ex.Words, ex.Fix)
			}
			for _, s := range []string{ex.Words, ex.Sentence, ex.Fix, ex.ServerSaid, ex.Detail} {
				if strings.ContainsAny(s, "\x1b\x07\r\n") {
					t.Errorf("%q holds a control character", s)
				}
			}
		})
	}
}
