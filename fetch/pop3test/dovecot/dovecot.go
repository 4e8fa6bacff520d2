// Package dovecot starts a throwaway Dovecot (Debian's dovecot-pop3d, and
// dovecot-imapd for IMAP) on loopback ports, for integration tests and
// benchmarks. It serves two users, alice and bob, each from a Maildir in a
// temporary folder with a fresh self-signed certificate, over POP3 on a
// plain port (with STLS) and an implicit-TLS port, and optionally over
// IMAP likewise, with a quota; Close stops it, folder and all.
package dovecot

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"popvault/fetch/pop3test"
)

// Binary is where Debian installs Dovecot.
const Binary = "/usr/sbin/dovecot"

// IMAPBinary is Dovecot's IMAP server, from dovecot-imapd.
const IMAPBinary = "/usr/lib/dovecot/imap"

// ErrMissing: Dovecot is not installed. `make test` installs it.
var ErrMissing = errors.New("dovecot: " + Binary + " not found: install dovecot-pop3d (make deps does)")

// ErrNoIMAP: Dovecot's IMAP server is not installed.
var ErrNoIMAP = errors.New("dovecot: " + IMAPBinary + " not found: install dovecot-imapd (make deps does)")

// Server is a running Dovecot.
type Server struct {
	Dir                   string         // the throwaway folder
	Port, TLSPort         int            // POP3: plain (with STLS) and implicit TLS, on 127.0.0.1
	IMAPPort, IMAPTLSPort int            // IMAP likewise, when Options.IMAP
	User, Password        string         // alice, whose Maildir Deliver fills
	User2, Password2      string         // bob, a second user
	Pool                  *x509.CertPool // trusts the server's certificate
	CAFile                string         // the certificate as a PEM file, to trust it

	opts          Options
	uid, gid      int
	loginUser     string
	internalUser  string
	internalGroup string
	seq           int
	cmd           *exec.Cmd
	exited        chan error
}

// Addr is the plain port's address; TLSAddr the implicit-TLS port's.
func (s *Server) Addr() string    { return "127.0.0.1:" + strconv.Itoa(s.Port) }
func (s *Server) TLSAddr() string { return "127.0.0.1:" + strconv.Itoa(s.TLSPort) }

// IMAPAddr and IMAPTLSAddr are IMAP's, when Options.IMAP.
func (s *Server) IMAPAddr() string    { return "127.0.0.1:" + strconv.Itoa(s.IMAPPort) }
func (s *Server) IMAPTLSAddr() string { return "127.0.0.1:" + strconv.Itoa(s.IMAPTLSPort) }

// SetQuota changes each user's quota to kib KiB (0: none) and has
// Dovecot reload its configuration.
func (s *Server) SetQuota(kib int64) error {
	s.opts.QuotaKiB = kib
	if err := os.WriteFile(filepath.Join(s.Dir, "dovecot.conf"), []byte(s.config()), 0o644); err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	if err := reload(s.cmd); err != nil {
		return fmt.Errorf("dovecot: reload: %w", err)
	}
	time.Sleep(500 * time.Millisecond) // new sessions get the new settings
	return nil
}

// Options configure Start. The zero value serves alice with a password.
type Options struct {
	// Introspection, when set, also lets alice sign in with an OAuth 2.0
	// access token (XOAUTH2 or OAUTHBEARER), which Dovecot's oauth2
	// passdb checks at this RFC 7662 introspection address (an
	// oauthtest server's /introspect).
	Introspection string
	// IMAP serves IMAP too (dovecot-imapd): UIDPLUS, LITERAL+, MULTIAPPEND.
	IMAP bool
	// QuotaKiB, when set, gives each user a quota of that many KiB of mail
	// (Dovecot's count backend), which SetQuota changes.
	QuotaKiB int64
	// MaxMailKiB, when set, refuses to store a message larger than that
	// many KiB (the quota plugin's quota_max_mail_size).
	MaxMailKiB int64
	// HideCaps are IMAP capabilities not announced (UIDPLUS, LITERAL+,
	// ESEARCH...), as older servers lack them.
	HideCaps []string
}

// Start starts a Dovecot and waits until both ports accept connections.
func Start() (*Server, error) { return StartWith(Options{}) }

// StartWith starts a Dovecot configured by opts.
func StartWith(opts Options) (*Server, error) {
	if _, err := os.Stat(Binary); err != nil {
		return nil, ErrMissing
	}
	if _, err := os.Stat(IMAPBinary); err != nil && opts.IMAP {
		return nil, ErrNoIMAP
	}
	// The ports are free when chosen, but another program (another test's
	// server) may take one before Dovecot binds it: then Dovecot fails to
	// listen, and a new set of ports is tried.
	for try := 1; ; try++ {
		s, err := startOnce(opts)
		if err == nil || try == 3 || !errors.Is(err, errPortTaken) {
			return s, err
		}
	}
}

// errPortTaken: Dovecot could not listen on a port chosen for it.
var errPortTaken = errors.New("dovecot: a port chosen for it was taken meanwhile")

func startOnce(opts Options) (*Server, error) {
	dir, err := os.MkdirTemp("", "popvault-dovecot-")
	if err != nil {
		return nil, fmt.Errorf("dovecot: %w", err)
	}
	s := &Server{Dir: dir, User: "alice", Password: randomPassword(), User2: "bob", Password2: randomPassword(), opts: opts}
	if err := s.setup(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := s.start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

func randomPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// setup writes the config, password file, certificate and Maildir. As root,
// Dovecot runs its login processes as its own users and the mail as
// nobody; otherwise everything runs as the current user.
func (s *Server) setup() error {
	u, err := user.Current()
	if err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	// As an ordinary user, Dovecot's services must run as that user and
	// its listeners belong to that user's group: it can chown to no other.
	loginUser, internalUser, mailUser := u.Username, u.Username, u
	internalGroup := ""
	if g, err := user.LookupGroupId(u.Gid); err == nil {
		internalGroup = g.Name
	}
	if u.Uid == "0" {
		loginUser, internalUser, internalGroup = "dovenull", "dovecot", "dovecot"
		if mailUser, err = user.Lookup("nobody"); err != nil {
			return fmt.Errorf("dovecot: %w", err)
		}
	}
	s.uid, _ = strconv.Atoi(mailUser.Uid)
	s.gid, _ = strconv.Atoi(mailUser.Gid)
	ports, err := freePorts(4)
	if err != nil {
		return err
	}
	s.Port, s.TLSPort, s.IMAPPort, s.IMAPTLSPort = ports[0], ports[1], ports[2], ports[3]
	cert := pop3test.NewCertificate("127.0.0.1", "localhost")
	s.Pool = cert.Pool
	s.CAFile = filepath.Join(s.Dir, "cert.pem")
	s.loginUser, s.internalUser, s.internalGroup = loginUser, internalUser, internalGroup
	files := map[string][]byte{
		"cert.pem":     cert.CertPEM,
		"key.pem":      cert.KeyPEM,
		"passwd":       []byte(s.User + ":{PLAIN}" + s.Password + "\n" + s.User2 + ":{PLAIN}" + s.Password2 + "\n"),
		"dovecot.conf": []byte(s.config()),
		"oauth2.conf": []byte("introspection_mode = post\nintrospection_url = " + s.opts.Introspection +
			"\nusername_attribute = username\nactive_attribute = active\nactive_value = true\nforce_introspection = yes\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(s.Dir, name), data, 0o644); err != nil {
			return fmt.Errorf("dovecot: %w", err)
		}
	}
	// Dovecot's own users must traverse the folder (mktemp makes it 0700).
	if err := os.Chmod(s.Dir, 0o755); err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	for _, user := range []string{s.User, s.User2} {
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(s.MaildirOf(user), sub), 0o700); err != nil {
				return fmt.Errorf("dovecot: %w", err)
			}
		}
	}
	return s.chownMail(filepath.Join(s.Dir, "home"))
}

// MaildirOf is where a user's mail lives.
func (s *Server) MaildirOf(user string) string { return filepath.Join(s.Dir, "home", user, "Maildir") }

func (s *Server) config() string {
	d := s.Dir
	mechanisms, oauthPassdb := "plain login", ""
	if s.opts.Introspection != "" {
		mechanisms = "plain login xoauth2 oauthbearer"
		oauthPassdb = fmt.Sprintf(`passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = %s/oauth2.conf
}
`, d)
	}
	protocols, imap := "pop3", ""
	if s.opts.IMAP {
		protocols = "pop3 imap"
		var caps []string
		if len(s.opts.HideCaps) > 0 {
			// What Dovecot 2.3 announces after login, less what is hidden.
			for _, c := range strings.Fields("IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE QUOTA") {
				if slices.Contains(s.opts.HideCaps, c) {
					continue
				}
				caps = append(caps, c)
			}
		}
		imap = fmt.Sprintf(`service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %d
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %d
    ssl = yes
  }
}
protocol imap {
  mail_plugins = $mail_plugins %s
  imap_capability = %s
  mail_max_userip_connections = 50
}
`, s.IMAPPort, s.IMAPTLSPort, map[bool]string{true: "imap_quota"}[s.opts.QuotaKiB > 0], strings.Join(caps, " "))
	}
	quota := ""
	if s.opts.QuotaKiB > 0 || s.opts.MaxMailKiB > 0 {
		quota = fmt.Sprintf(`mail_plugins = $mail_plugins quota
plugin {
  quota = count:User quota
  quota_vsizes = yes
  quota_rule = *:storage=%dk
  quota_max_mail_size = %dk
}
`, s.opts.QuotaKiB, s.opts.MaxMailKiB)
	}
	return fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
info_log_path = %[1]s/dovecot.log
listen = 127.0.0.1
protocols = %[11]s
ssl = yes
ssl_cert = <%[1]s/cert.pem
ssl_key = <%[1]s/key.pem
ssl_dh = </usr/share/dovecot/dh.pem
disable_plaintext_auth = no
auth_mechanisms = %[9]s
default_login_user = %[2]s
default_internal_user = %[3]s
default_internal_group = %[8]s
mail_location = maildir:~/Maildir
first_valid_uid = 1
pop3_uidl_format = %%08Xu%%08Xv
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
%[10]s
userdb {
  driver = static
  args = uid=%[4]d gid=%[5]d home=%[1]s/home/%%u
}
%[13]s%[12]s
service anvil {
  chroot =
}
service pop3-login {
  chroot =
  inet_listener pop3 {
    address = 127.0.0.1
    port = %[6]d
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = %[7]d
    ssl = yes
  }
}
service stats {
  inet_listener http {
    port = 0
  }
}
`, d, s.loginUser, s.internalUser, s.uid, s.gid, s.Port, s.TLSPort, s.internalGroup, mechanisms, oauthPassdb, protocols, imap, quota)
}

// start runs Dovecot in the foreground as a child that dies with us.
func (s *Server) start() error {
	s.cmd = exec.Command(Binary, "-F", "-c", filepath.Join(s.Dir, "dovecot.conf"))
	dieWithUs(s.cmd)
	var out bytes.Buffer
	s.cmd.Stdout, s.cmd.Stderr = &out, &out
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	s.exited = make(chan error, 1)
	go func() { s.exited <- s.cmd.Wait() }()
	deadline := time.Now().Add(15 * time.Second)
	addrs := []string{s.Addr(), s.TLSAddr()}
	if s.opts.IMAP {
		addrs = append(addrs, s.IMAPAddr(), s.IMAPTLSAddr())
	}
	for _, addr := range addrs {
		for {
			conn, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				conn.Close()
				break
			}
			select {
			case err := <-s.exited:
				if strings.Contains(out.String()+s.Log(), "Address already in use") {
					return fmt.Errorf("%w: %s", errPortTaken, out.String())
				}
				return fmt.Errorf("dovecot: exited (%v): %s %s", err, out.String(), s.Log())
			case <-time.After(20 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				s.Close()
				return fmt.Errorf("dovecot: %s not listening: %s", addr, s.Log())
			}
		}
	}
	return nil
}

// Close stops Dovecot and removes its folder.
func (s *Server) Close() error {
	if s.cmd != nil && s.cmd.Process != nil {
		stopGroup(s.cmd, false)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			stopGroup(s.cmd, true)
			<-s.exited
		}
	}
	return os.RemoveAll(s.Dir)
}

// Log returns Dovecot's log so far; each POP3 session ends with a line
// holding "retr=N/BYTES, del=N/M".
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "dovecot.log"))
	return string(b)
}

// settledLog is the log once it has not changed for 200 ms (or after 3 s).
func (s *Server) settledLog() string {
	log := s.Log()
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		again := s.Log()
		if again == log {
			break
		}
		log = again
	}
	return log
}

// freePorts returns n different ports free on the loopback address: all
// are held open until all are chosen, so that the system cannot hand one
// out twice (Dovecot refuses two listeners on one port: "duplicate
// listener").
func freePorts(n int) ([]int, error) {
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("dovecot: %w", err)
		}
		defer ln.Close()
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Count is how many messages the Maildir holds.
func (s *Server) Count() (int, error) { return s.CountOf(s.User) }

// CountOf counts the messages in user's Maildir.
func (s *Server) CountOf(user string) (int, error) {
	n := 0
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(s.MaildirOf(user), sub))
		if err != nil {
			return 0, fmt.Errorf("dovecot: %w", err)
		}
		n += len(entries)
	}
	return n, nil
}

// Deliver puts messages into alice's Maildir, in order, as Dovecot's cur/
// files; Dovecot serves them with CRLF line endings.
func (s *Server) Deliver(msgs ...[]byte) error { return s.DeliverTo(s.User, msgs...) }

// DeliverTo puts messages into user's Maildir, as Deliver does.
func (s *Server) DeliverTo(user string, msgs ...[]byte) error {
	for _, m := range msgs {
		s.seq++
		name := fmt.Sprintf("%d.M%dP%d.popvault,S=%d:2,", 1_700_000_000+s.seq, s.seq, os.Getpid(), len(m))
		path := filepath.Join(s.MaildirOf(user), "cur", name)
		if err := os.WriteFile(path, m, 0o600); err != nil {
			return fmt.Errorf("dovecot: %w", err)
		}
		if err := os.Lchown(path, s.uid, s.gid); err != nil && os.Getuid() == 0 {
			return fmt.Errorf("dovecot: %w", err)
		}
	}
	return nil
}

// Messages returns the contents of the Maildir's messages.
func (s *Server) Messages() ([][]byte, error) {
	var out [][]byte
	maildir := s.MaildirOf(s.User)
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(maildir, sub))
		if err != nil {
			return nil, fmt.Errorf("dovecot: %w", err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(maildir, sub, e.Name()))
			if err != nil {
				return nil, fmt.Errorf("dovecot: %w", err)
			}
			out = append(out, b)
		}
	}
	return out, nil
}

// Retrieved sums the "retr=N/BYTES" of every finished session in the log.
// Dovecot writes a session's line just after the client has its reply to
// QUIT, so it first waits for the log to stay unchanged for a moment.
func (s *Server) Retrieved() (messages, bytes int) {
	log := s.settledLog()
	for _, line := range strings.Split(log, "\n") {
		i := strings.Index(line, "retr=")
		if i < 0 {
			continue
		}
		var n, b int
		fmt.Sscanf(line[i:], "retr=%d/%d", &n, &b)
		messages += n
		bytes += b
	}
	return messages, bytes
}

func (s *Server) chownMail(root string) error {
	if os.Getuid() != 0 {
		return nil
	}
	return filepath.Walk(root, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, s.uid, s.gid)
	})
}

// TLSClientConfig trusts the server's certificate.
func (s *Server) TLSClientConfig() *tls.Config { return &tls.Config{RootCAs: s.Pool} }

// StartForTest starts a Dovecot holding msgs and stops it when the test
// ends. A missing Dovecot fails the test: `make test` installs it, and a
// skip would hide the gap. Under -short (make check, the unit tier) the
// test skips instead, before looking.
func StartForTest(tb testing.TB, msgs ...[]byte) *Server {
	tb.Helper()
	return StartForTestWith(tb, Options{}, msgs...)
}

// StartForTestWith is StartForTest with options.
func StartForTestWith(tb testing.TB, opts Options, msgs ...[]byte) *Server {
	tb.Helper()
	if testing.Short() {
		tb.Skip("needs Dovecot, a real mail server: make check (-short) skips it, make test runs it")
	}
	s, err := StartWith(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	if err := s.Deliver(msgs...); err != nil {
		tb.Fatal(err)
	}
	return s
}
