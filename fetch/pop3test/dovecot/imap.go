package dovecot

import (
	"crypto/tls"
	"fmt"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// DialIMAP signs in as the second user, bob, over IMAPS.
func (s *Server) DialIMAP() (*imapclient.Client, error) {
	c, err := imapclient.DialTLS(s.IMAPTLSAddr(), &imapclient.Options{TLSConfig: &tls.Config{RootCAs: s.Pool, ServerName: "127.0.0.1"}})
	if err != nil {
		return nil, err
	}
	if err := c.Login(s.User2, s.Password2).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("IMAP login: %w", err)
	}
	return c, nil
}

// IMAPMessages returns the bytes of every message in bob's mailbox, as
// FETCH BODY.PEEK[] gives them, in order.
func (s *Server) IMAPMessages(mailbox string) ([][]byte, error) {
	c, err := s.DialIMAP()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil || sel.NumMessages == 0 {
		return nil, err
	}
	var all imap.SeqSet
	all.AddRange(1, 0)
	msgs, err := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(msgs))
	for _, m := range msgs {
		if len(m.BodySection) != 1 {
			return nil, fmt.Errorf("message %d came without its body", m.SeqNum)
		}
		out = append(out, m.BodySection[0].Bytes)
	}
	return out, nil
}
