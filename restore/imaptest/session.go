package imaptest

import (
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// session is the in-memory backend's session, with the server's habits in
// front: names checked and spelled its way, EXAMINE remembered.
type session struct {
	*imapmemserver.UserSession // nil until signed in

	s        *Server
	examined string // the mailbox selected with EXAMINE, if any
}

var _ imapserver.SessionNamespace = (*session)(nil)

func (sess *session) Login(username, password string) error {
	s := sess.s
	if err := s.user.Login(username, password); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.MaxConnections > 0 && s.sessions >= s.opts.MaxConnections {
		// Dovecot's words for its mail_max_userip_connections.
		return &imap.Error{Type: imap.StatusResponseTypeNo, Text: "Maximum number of connections from user+IP exceeded"}
	}
	s.sessions++
	sess.UserSession = imapmemserver.NewUserSession(s.user)
	return nil
}

func (sess *session) Close() error {
	if sess.UserSession == nil {
		return nil
	}
	sess.s.mu.Lock()
	sess.s.sessions--
	sess.s.mu.Unlock()
	return sess.UserSession.Close()
}

func (sess *session) Select(name string, options *imap.SelectOptions) (*imap.SelectData, error) {
	if !sess.s.valid(name) {
		return nil, errInvalidName
	}
	data, err := sess.UserSession.Select(name, options)
	if err != nil {
		return nil, err
	}
	sess.examined = ""
	if options != nil && options.ReadOnly {
		sess.examined = name
	}
	return data, nil
}

func (sess *session) Unselect() error {
	sess.examined = ""
	return sess.UserSession.Unselect()
}

// Expunge removes nothing from a mailbox selected read-only: CLOSE after
// EXAMINE expunges nothing (RFC 3501, 6.4.2).
func (sess *session) Expunge(w *imapserver.ExpungeWriter, uids *imap.UIDSet) error {
	if sess.examined != "" {
		return nil
	}
	return sess.UserSession.Expunge(w, uids)
}

func (sess *session) Append(name string, r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	if !sess.s.valid(name) {
		return nil, errInvalidName
	}
	if sess.s.opts.ExamineBlocksAppend && sess.examined == name {
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Text: "Current box is selected READ-ONLY."}
	}
	if sess.s.throttled() {
		return nil, &imap.Error{Type: imap.StatusResponseTypeNo, Code: "THROTTLED", Text: "Account exceeded command or bandwidth limits."}
	}
	return sess.UserSession.Append(name, r, options)
}

func (sess *session) Status(name string, options *imap.StatusOptions) (*imap.StatusData, error) {
	if !sess.s.valid(name) {
		return nil, errInvalidName
	}
	return sess.UserSession.Status(name, options)
}

func (sess *session) Create(name string, options *imap.CreateOptions) error {
	return sess.s.Create(name)
}

func (sess *session) Delete(name string) error {
	if err := sess.UserSession.Delete(name); err != nil {
		return err
	}
	sess.s.mu.Lock()
	sess.s.mailboxes = slices.DeleteFunc(sess.s.mailboxes, func(m string) bool { return m == name })
	sess.s.mu.Unlock()
	return nil
}

func (sess *session) Rename(oldName, newName string, options *imap.RenameOptions) error {
	if !sess.s.valid(newName) {
		return errInvalidName
	}
	if err := sess.UserSession.Rename(oldName, newName, options); err != nil {
		return err
	}
	sess.s.mu.Lock()
	for i, m := range sess.s.mailboxes {
		if m == oldName {
			sess.s.mailboxes[i] = newName
		}
	}
	sess.s.mu.Unlock()
	return nil
}

// List answers with the server's own separator (the backend knows only
// "/"); `LIST "" ""` gives the separator alone.
func (sess *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	delim := sess.s.opts.Delim
	if len(patterns) == 0 {
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: delim})
	}
	for _, name := range sess.s.Mailboxes() {
		for _, p := range patterns {
			if imapserver.MatchList(name, delim, ref, p) {
				if err := w.WriteList(&imap.ListData{Mailbox: name, Delim: delim}); err != nil {
					return err
				}
				break
			}
		}
	}
	return nil
}

func (sess *session) Namespace() (*imap.NamespaceData, error) {
	return &imap.NamespaceData{
		Personal: []imap.NamespaceDescriptor{{Prefix: sess.s.opts.Prefix, Delim: sess.s.opts.Delim}},
	}, nil
}

// throttled counts an APPEND and reports whether it falls in the
// throttled stretch.
func (s *Server) throttled() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appends++
	return s.opts.Throttle > 0 && s.appends > s.opts.ThrottleAfter && s.appends <= s.opts.ThrottleAfter+s.opts.Throttle
}
