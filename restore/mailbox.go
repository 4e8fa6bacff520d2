package restore

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// names is how a server spells mailbox names: the personal namespace's
// prefix and hierarchy separator (RFC 2342), and the prefixes of its other
// namespaces.
type names struct {
	prefix string
	delim  rune
	others []string
}

// namesOf asks the server how it spells mailbox names: NAMESPACE where it
// has it, else `LIST "" ""`, which gives the separator alone.
func namesOf(c *conn) (names, error) {
	if c.Caps().Has(imap.CapNamespace) {
		ns, err := waitFor(c, c.Namespace())
		var ierr *imap.Error
		switch {
		case err == nil && len(ns.Personal) > 0:
			n := names{prefix: ns.Personal[0].Prefix, delim: ns.Personal[0].Delim}
			for _, d := range append(append(ns.Personal[1:], ns.Other...), ns.Shared...) {
				n.others = append(n.others, d.Prefix)
			}
			return n, nil
		case err != nil && !errors.As(err, &ierr):
			return names{}, err
		}
		// Announced and refused, or no personal namespace: LIST says at
		// least the separator.
	}
	cmd := c.List("", "", nil)
	done := c.w.await()
	list, err := cmd.Collect()
	done()
	if err != nil {
		return names{}, c.explain(err)
	}
	var n names
	if len(list) > 0 {
		n.delim = list[0].Delim
	}
	return n, nil
}

// spell turns the name the person gave, with "/" between levels as the
// README and most mail programs write it, into the server's: "/" becomes
// the server's separator, and a name in no namespace gets the personal
// one's prefix. "Archive/2019" is "Archive.2019" on a Dovecot with
// Maildir++ folders and "INBOX.Archive.2019" on Courier. A name already in
// the server's spelling stays as it is.
func (n names) spell(name string) string {
	if strings.EqualFold(name, "INBOX") {
		return "INBOX"
	}
	if n.delim != 0 && n.delim != '/' {
		name = strings.ReplaceAll(name, "/", string(n.delim))
	}
	if n.prefix == "" || hasPrefixFold(name, n.prefix) {
		return name
	}
	for _, p := range n.others {
		if p != "" && strings.HasPrefix(name, p) {
			return name
		}
	}
	return n.prefix + name
}

// hasPrefixFold: the prefix is most often "INBOX.", whose INBOX is the
// same in any case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// mailbox returns the target mailbox's UIDVALIDITY, making the mailbox
// first when it is missing and Create is set.
func (r *run) mailbox(c *conn) (uint32, error) {
	t := r.opts.Target
	status := func() (*imap.StatusData, error) {
		return waitFor(c, c.Status(r.name, &imap.StatusOptions{UIDValidity: true}))
	}
	st, err := status()
	var ierr *imap.Error
	if errors.As(err, &ierr) && ierr.Type == imap.StatusResponseTypeNo {
		if !r.opts.Create {
			return 0, fmt.Errorf("%w: %s on %s (%s); make it, or let popvault make it (--create)", ErrNoMailbox, r.quoted(), t.Host, ierr.Text)
		}
		if err := c.wait(c.Create(r.name, nil)); err != nil {
			return 0, r.refused("make", err)
		}
		r.sum.Created = true
		st, err = status()
	}
	if err != nil {
		return 0, r.refused("open", err)
	}
	if st.UIDValidity == 0 {
		return 0, fmt.Errorf("restore: %s gave mailbox %s no UIDVALIDITY", t.Host, r.quoted())
	}
	return st.UIDValidity, nil
}

// quoted names the mailbox as the person gave it, and as the server
// spells it where that differs.
func (r *run) quoted() string {
	if r.name == r.opts.Target.Mailbox {
		return fmt.Sprintf("%q", r.name)
	}
	return fmt.Sprintf("%q (%q there)", r.opts.Target.Mailbox, r.name)
}

// refused words a server's refusal of the mailbox: servers answer a name
// they do not take with a bare "NO Invalid mailbox name.", which alone
// does not say which name or what to do.
func (r *run) refused(doing string, err error) error {
	t := r.opts.Target
	var ierr *imap.Error
	if !errors.As(err, &ierr) {
		return fmt.Errorf("restore: mailbox %s on %s: %w", r.quoted(), t.Host, err)
	}
	said := ierr.Text
	if ierr.Code != "" {
		said = "[" + string(ierr.Code) + "] " + said
	}
	return &refusal{err: err, text: fmt.Sprintf("restore: %s refused to %s the mailbox %s, saying %q. "+
		"Give the name as your mail program shows it, with “/” between levels "+
		"(popvault writes it the server's way), or make the mailbox in your mail program and give that name",
		t.Host, doing, r.quoted(), said)}
}

// refusal is a server's refusal in a sentence of our own, still
// unwrapping to the server's error.
type refusal struct {
	err  error
	text string
}

func (e *refusal) Error() string { return e.text }
func (e *refusal) Unwrap() error { return e.err }
