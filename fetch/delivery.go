package fetch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"popvault/oauth"
	"popvault/transport"
)

// Delivery is an account's delivery target: an IMAP mailbox that each
// fetch also puts the account's new mail into (package deliver does it).
// What it signs in with is kept on this machine, never here: a password
// under the account's key (see package deliver), or an OAuth sign-in.
type Delivery struct {
	Host     string             `json:"host"`
	Port     int                `json:"port,omitempty"` // 0: 993 with TLS, 143 otherwise
	Security transport.Security `json:"security,omitempty"`
	CAFile   string             `json:"ca_file,omitempty"`
	User     string             `json:"user"`
	Mailbox  string             `json:"mailbox"` // INBOX, or a label's IMAP name
	// Create makes the mailbox when it does not exist.
	Create bool `json:"create,omitempty"`
	// OAuth signs in with an OAuth 2.0 sign-in kept for this server and
	// user at this provider; OAuthAccount with the sign-in of that
	// popvault account (the same provider and user). Neither: a password.
	OAuth        string `json:"oauth,omitempty"`
	OAuthAccount string `json:"oauth_account,omitempty"`
	// Since: mail the account archives from then on is delivered; mail
	// archived before is not, unless a restore of it was asked for.
	Since time.Time `json:"since"`
}

// String names the target for a person: "INBOX on imap.gmail.com".
func (d *Delivery) String() string {
	mb := d.Mailbox
	if mb == "" {
		mb = "INBOX"
	}
	return mb + " on " + d.Host
}

// Check says, in a sentence, what is wrong with the target's settings.
func (d *Delivery) Check() error {
	switch {
	case strings.TrimSpace(d.Host) == "":
		return errors.New("fetch: the delivery target needs a server")
	case strings.TrimSpace(d.User) == "":
		return errors.New("fetch: the delivery target needs a user name")
	case strings.ContainsAny(d.Host+d.User+d.Mailbox, "\r\n\x00"):
		return errors.New("fetch: the delivery target's settings may not hold line breaks")
	case d.Security != "" && d.Security != SecurityTLS && d.Security != SecurityStartTLS && d.Security != SecurityPlain:
		return fmt.Errorf("fetch: the delivery target's security %q is not tls, starttls or plain", d.Security)
	case d.Port < 0 || d.Port > 65535:
		return fmt.Errorf("fetch: the delivery target's port %d is out of range", d.Port)
	case d.CAFile != "" && !filepath.IsAbs(d.CAFile):
		return fmt.Errorf("fetch: the delivery target's CA file %q is not a full path; give it as one", d.CAFile)
	case d.OAuth != "" && d.OAuth != oauth.ProviderGoogle && d.OAuth != oauth.ProviderMicrosoft && d.OAuth != oauth.ProviderCustom:
		return fmt.Errorf("fetch: the delivery target's OAuth provider %q is not google, microsoft or custom", d.OAuth)
	case d.OAuth != "" && d.OAuthAccount != "":
		return errors.New("fetch: the delivery target signs in with its own OAuth sign-in or an account's, not both")
	}
	return nil
}

// Deliverer puts what an account archives into its delivery target
// (package deliver). The fetch calls it after its commits and before any
// DELE, and deletes from the POP server only what is archived and no
// longer waits: the one rule that a message leaves the source only when
// every copy it must have is durable.
type Deliverer interface {
	// Deliver sends what waits for acct, the messages stored newly among
	// it (their archive ids; mail from a server without UIDL is known by
	// these alone), and says what still waits. more, when not nil, gives
	// the session's next commits as they land, to be sent over the same
	// connections, which open at once, since mail is on its way;
	// Deliver returns once more gives none.
	Deliver(ctx context.Context, acct Account, stored []uint64, more More) DeliveryReport
}

// More gives a delivery the messages a session commits next, waiting for
// them; none means the session will commit no more, or ctx ended.
type More func(ctx context.Context) []uint64

// DeliveryReport is what a Deliverer did for one account.
type DeliveryReport struct {
	Delivered int // by this call
	// Waiting are the archived messages not yet in the target (refused,
	// unconfirmed, or not tried): they stay on the POP server.
	Waiting map[uint64]bool
	// Unknown: what waits could not be read (the archive failed), so
	// nothing may be deleted from the source.
	Unknown bool
	// Err says why messages wait, in words (the target refused, is down,
	// or signing in failed); nil when none does. A message the target
	// refuses for good (too large) is said here once, the fetch it is
	// refused; from then on Note says it.
	Err error
	// Refused are those of Waiting the target refuses for good: they stay
	// on the POP server and are not sent again, and not counted as
	// waiting. Note names them, with what to do, or is "".
	Refused int
	Note    string
	// Refusal names the messages first refused for good by this call
	// (in Err too), or is nil: an early round of a fetch's delivery says
	// it through the fetch's last one, since only one call ever meets a
	// refusal for the first time.
	Refusal error
}

// keeps reports whether a message must stay on the source for delivery.
func (r *DeliveryReport) keeps(id uint64) bool { return r.Unknown || r.Waiting[id] }
