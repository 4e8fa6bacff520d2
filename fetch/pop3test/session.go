package pop3test

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"
)

// session is one client connection.
type session struct {
	s       *Server
	cfg     Config // as it was when the session began
	conn    net.Conn
	br      *bufio.Reader
	bw      *bufio.Writer
	faults  Faults
	stamp   string
	isTLS   bool
	user    string
	authed  bool
	utf8    bool // the client sent UTF8
	msgs    []*Message
	deleted map[int]bool
	nth     map[string]int
}

func newSession(s *Server, conn net.Conn) *session {
	s.mu.Lock()
	cfg := s.Config
	s.mu.Unlock()
	return &session{s: s, cfg: cfg, conn: conn, br: bufio.NewReaderSize(conn, 64<<10),
		bw: bufio.NewWriterSize(conn, 64<<10), faults: cfg.Faults, isTLS: s.implicit,
		deleted: map[int]bool{}, nth: map[string]int{}}
}

func (ss *session) run() {
	defer ss.unlock()
	cfg := ss.cfg
	greeting := "+OK " + cfg.Greeting
	if cfg.APOP {
		ss.stamp = fmt.Sprintf("<%d.%d@pop3test>", time.Now().UnixNano(), ss.s.Sessions())
		greeting += " " + ss.stamp
	}
	if cfg.RawGreeting != "" {
		greeting = strings.TrimSuffix(cfg.RawGreeting, "\r\n")
	}
	if p := ss.faults.GreetingPause; p > 0 && !ss.silentFor(p) {
		ss.s.fire()
		return
	}
	// Two writes, not one string: a test that counts what the client
	// allocates must not count a copy of a 5 MB greeting here.
	if !ss.reply("greeting", greeting) || !ss.reply("", "\r\n") {
		return
	}
	for {
		if ss.br.Buffered() == 0 && ss.bw.Flush() != nil {
			return
		}
		line, err := ss.br.ReadSlice('\n')
		if err != nil {
			return
		}
		f := strings.Fields(string(bytes.TrimRight(line, "\r\n")))
		if len(f) == 0 {
			ss.reply("", "-ERR empty command\r\n")
			continue
		}
		name := strings.ToUpper(f[0])
		ss.s.mu.Lock()
		ss.s.counts[name]++
		ss.s.mu.Unlock()
		if !ss.handle(name, f[1:]) {
			ss.bw.Flush()
			return
		}
	}
}

// silentFor reports whether the client sent nothing for d (the
// handshake aside, over TLS).
func (ss *session) silentFor(d time.Duration) bool {
	ss.conn.SetReadDeadline(time.Now().Add(d))
	_, err := ss.br.Peek(1)
	ss.conn.SetReadDeadline(time.Time{})
	var nerr net.Error
	return errors.As(err, &nerr) && nerr.Timeout()
}

// reply writes a reply to the named command, applying the faults that
// choose it; it reports whether the session goes on.
func (ss *session) reply(name, text string) bool {
	ss.nth[name]++
	n := ss.nth[name]
	if t := ss.faults.Drop; t.matches(name, n) {
		ss.s.fire()
		ss.partial(text, t.AfterBytes)
		if tc, ok := ss.conn.(*net.TCPConn); ok && ss.faults.Reset {
			tc.SetLinger(0)
		}
		return false
	}
	if t := ss.faults.Stall; t.matches(name, n) {
		ss.s.fire()
		ss.partial(text, t.AfterBytes)
		if ss.faults.StallFor > 0 {
			time.Sleep(ss.faults.StallFor)
		} else {
			ss.br.Discard(ss.br.Buffered())
			ss.conn.Read(make([]byte, 1)) // until the client or Close ends it
		}
		return false
	}
	if r, ok := ss.faults.Replies[name]; ok && name != "greeting" {
		ss.s.fire()
		text = r
	}
	if t := ss.faults.Trickle; t.matches(name, n) {
		ss.s.fire()
		return ss.trickle(text)
	}
	_, err := ss.bw.WriteString(text)
	return err == nil
}

// trickle sends text a byte at a time, slowly, until the client hangs up.
func (ss *session) trickle(text string) bool {
	every := ss.faults.TrickleEvery
	if every <= 0 {
		every = time.Second
	}
	if ss.bw.Flush() != nil {
		return false
	}
	for i := 0; i < len(text); i++ {
		ss.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := ss.conn.Write([]byte{text[i]}); err != nil {
			return false
		}
		time.Sleep(every)
	}
	return true
}

func (ss *session) partial(text string, n int) {
	ss.bw.WriteString(text[:min(n, len(text))])
	ss.bw.Flush()
}

func (ss *session) unlock() {
	if ss.authed {
		ss.s.mu.Lock()
		ss.s.locked = false
		ss.s.mu.Unlock()
	}
}

// handle runs one command; false ends the session.
func (ss *session) handle(name string, args []string) bool {
	if _, ok := ss.faults.Replies[name]; ok && name != "STLS" {
		return ss.reply(name, "")
	}
	switch name {
	case "CAPA":
		return ss.capa()
	case "STLS":
		return ss.stls()
	case "USER", "PASS", "APOP", "AUTH":
		return ss.auth(name, args)
	case "QUIT":
		return ss.quit()
	case "UTF8":
		// Courier takes it before login and after (RFC 6856 has it
		// before only).
		if !ss.cfg.UTF8 {
			return ss.reply(name, "-ERR unknown command\r\n")
		}
		ss.utf8 = true
		return ss.reply(name, "+OK UTF8 enabled\r\n")
	}
	if !ss.authed {
		return ss.reply(name, "-ERR not logged in\r\n")
	}
	return ss.transaction(name, args)
}

func (ss *session) capa() bool {
	cfg := ss.cfg
	if cfg.NoCapa {
		return ss.reply("CAPA", "-ERR unknown command\r\n")
	}
	var b strings.Builder
	b.WriteString("+OK capabilities follow\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\n")
	if cfg.UTF8 {
		b.WriteString("UTF8 USER\r\n")
	}
	if ss.authed || !cfg.CapaAfterLogin {
		b.WriteString("TOP\r\n")
		if !cfg.NoUIDL {
			b.WriteString("UIDL\r\n")
		}
		if !cfg.NoPipelining {
			b.WriteString("PIPELINING\r\n")
		}
	}
	if !ss.authed {
		b.WriteString("USER\r\nSASL PLAIN XOAUTH2")
		if !cfg.NoOAuthBearer {
			b.WriteString(" OAUTHBEARER")
		}
		b.WriteString("\r\n")
		if cfg.STLS && !ss.isTLS {
			b.WriteString("STLS\r\n")
		}
	}
	b.WriteString(".\r\n")
	return ss.reply("CAPA", b.String())
}

func (ss *session) stls() bool {
	if r, ok := ss.faults.Replies["STLS"]; ok {
		return ss.reply("STLS", r)
	}
	if !ss.cfg.STLS || ss.isTLS || ss.authed {
		return ss.reply("STLS", "-ERR STLS not available\r\n")
	}
	if !ss.reply("STLS", "+OK begin TLS\r\n"+string(ss.faults.InjectAfterSTLS)) {
		return false
	}
	if ss.bw.Flush() != nil {
		return false
	}
	tc := tls.Server(ss.conn, ss.s.cert.Server)
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	if tc.Handshake() != nil {
		return false
	}
	tc.SetDeadline(time.Time{})
	ss.conn, ss.isTLS = tc, true
	ss.br.Reset(tc)
	ss.bw.Reset(tc)
	return true
}

func (ss *session) quit() bool {
	if !ss.authed {
		ss.reply("QUIT", "+OK bye\r\n")
		return false
	}
	marked := make(map[*Message]bool)
	for i := range ss.msgs {
		if ss.deleted[i+1] && (!ss.faults.QuitFails || len(marked) < ss.faults.QuitDeletes) {
			marked[ss.msgs[i]] = true
		}
	}
	ss.s.mu.Lock()
	kept := ss.s.box[:0:0]
	for _, m := range ss.s.box {
		if !marked[m] {
			kept = append(kept, m)
		}
	}
	ss.s.box = kept
	// The lock goes before the reply, as RFC 1939's UPDATE state has it,
	// so a client may start its next session as soon as it reads +OK.
	ss.s.locked, ss.authed = false, false
	ss.s.mu.Unlock()
	if ss.faults.QuitFails {
		ss.s.fire()
		ss.reply("QUIT", "-ERR [SYS/TEMP] some deleted messages not removed\r\n")
	} else {
		ss.reply("QUIT", "+OK bye\r\n")
	}
	return false
}

// login locks the maildrop and snapshots it, as RFC 1939 section 4 says.
func (ss *session) login(cmd string) bool {
	ss.s.mu.Lock()
	ss.s.logins++
	refused := ss.faults.LoginCode != "" && ss.s.logins > ss.faults.LoginCodeAfter
	ss.s.mu.Unlock()
	if refused {
		return ss.reply(cmd, "-ERR ["+ss.faults.LoginCode+"] try again later\r\n")
	}
	ss.s.mu.Lock()
	if ss.s.locked {
		ss.s.mu.Unlock()
		return ss.reply(cmd, "-ERR [IN-USE] maildrop locked\r\n")
	}
	ss.s.locked = true
	ss.msgs = ss.snapshot()
	ss.s.mu.Unlock()
	ss.authed = true
	if n := ss.br.Buffered(); ss.cfg.LoginHandoff && n > 0 {
		// The login process read these; the mail process never sees them.
		ss.s.fire()
		ss.br.Discard(n)
	}
	return ss.reply(cmd, "+OK logged in\r\n")
}

// snapshot is the session's view of the maildrop; the caller holds s.mu.
func (ss *session) snapshot() []*Message {
	if !ss.cfg.Gmail || strings.HasPrefix(ss.user, "recent:") {
		return append([]*Message(nil), ss.s.box...)
	}
	var out []*Message
	for _, m := range ss.s.box {
		if !ss.s.retrieved[m] && len(out) < 250 {
			out = append(out, m)
		}
	}
	return out
}

// refusal is the reply to a wrong password: Config.Refusal's, else
// "[AUTH] invalid credentials".
func (ss *session) refusal() string {
	if ss.cfg.Refusal != "" {
		return "-ERR " + ss.cfg.Refusal + "\r\n"
	}
	return "-ERR [AUTH] invalid credentials\r\n"
}

// credential records a credential that arrived, noting one sent in clear.
func (ss *session) credential() {
	if !ss.isTLS {
		ss.s.mu.Lock()
		ss.s.counts["(cleartext credential)"]++
		ss.s.mu.Unlock()
	}
}

func (ss *session) auth(name string, args []string) bool {
	if ss.authed {
		return ss.reply(name, "-ERR already logged in\r\n")
	}
	cfg := ss.cfg
	bad := ss.refusal()
	switch name {
	case "USER":
		if len(args) != 1 {
			return ss.reply(name, "-ERR usage: USER name\r\n")
		}
		ss.user = args[0]
		return ss.reply(name, "+OK\r\n")
	case "PASS":
		ss.credential()
		if strings.TrimPrefix(ss.user, "recent:") != cfg.User || strings.Join(args, " ") != cfg.Password {
			return ss.reply(name, bad)
		}
		return ss.login(name)
	case "APOP":
		// A digest good for this session only, not a credential in clear.
		sum := md5.Sum([]byte(ss.stamp + cfg.Password))
		if ss.stamp == "" || len(args) != 2 || args[0] != cfg.User || args[1] != hex.EncodeToString(sum[:]) {
			return ss.reply(name, bad)
		}
		return ss.login(name)
	}
	return ss.sasl(args)
}

// sasl runs AUTH PLAIN, XOAUTH2 or OAUTHBEARER (RFC 5034, RFC 7628). A
// token is good when Config.ValidToken says so, or else when it is the
// password; a bad one gets the error challenge before -ERR, as Gmail
// sends it.
func (ss *session) sasl(args []string) bool {
	if len(args) == 0 {
		return ss.reply("AUTH", "-ERR mechanism required\r\n")
	}
	mech := strings.ToUpper(args[0])
	if mech != "PLAIN" && mech != "XOAUTH2" && (mech != "OAUTHBEARER" || ss.cfg.NoOAuthBearer) {
		return ss.reply("AUTH", "-ERR unsupported mechanism\r\n")
	}
	ss.s.mu.Lock()
	ss.s.counts["AUTH "+mech]++
	ss.s.mu.Unlock()
	if len(args) > 1 && mech == "XOAUTH2" && ss.cfg.TwoStepXOAuth2 {
		return ss.reply("AUTH", "-ERR [AUTH] XOAUTH2 with an initial response is not supported\r\n")
	}
	if len(args) > 1 && mech != "PLAIN" && ss.cfg.NoInitialResponse {
		ss.reply("AUTH", "-ERR Protocol error. Connection is closed. 10\r\n")
		return false
	}
	resp := ""
	if len(args) > 1 {
		resp = args[1]
	} else {
		var ok bool
		if resp, ok = ss.challenge(""); !ok {
			return false
		}
	}
	if resp == "*" {
		return ss.reply("AUTH", "-ERR authentication cancelled\r\n")
	}
	ss.credential()
	var raw []byte
	var err error
	if resp != "=" { // "=" is an empty initial response
		raw, err = base64.StdEncoding.DecodeString(resp)
	}
	if err != nil {
		return ss.reply("AUTH", "-ERR [AUTH] invalid credentials\r\n")
	}
	cfg := ss.cfg
	if mech == "PLAIN" {
		// "authzid NUL user NUL password"; authzid may be empty or the user.
		want := []string{"\x00" + cfg.User + "\x00" + cfg.Password, cfg.User + "\x00" + cfg.User + "\x00" + cfg.Password}
		if !slices.Contains(want, string(raw)) {
			return ss.reply("AUTH", ss.refusal())
		}
		return ss.login("AUTH")
	}
	user, token, ok := bearerFields(mech, string(raw))
	valid := token == cfg.Password
	if cfg.ValidToken != nil {
		valid = cfg.ValidToken(token)
	}
	if !ok || user != cfg.User || !valid {
		ss.s.mu.Lock()
		ss.s.counts["(refused token)"]++
		ss.s.mu.Unlock()
		status := `{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}`
		if mech == "OAUTHBEARER" {
			status = `{"status":"invalid_token","schemes":"bearer"}`
		}
		if _, ok := ss.challenge(base64.StdEncoding.EncodeToString([]byte(status))); !ok {
			return false
		}
		if cfg.Refusal != "" {
			return ss.reply("AUTH", ss.refusal())
		}
		return ss.reply("AUTH", "-ERR [AUTH] invalid token\r\n")
	}
	return ss.login("AUTH")
}

// challenge sends a SASL challenge and reads the client's answer.
func (ss *session) challenge(text string) (string, bool) {
	if !ss.reply("AUTH", "+ "+text+"\r\n") || ss.bw.Flush() != nil {
		return "", false
	}
	line, err := ss.br.ReadString('\n')
	if err != nil {
		return "", false
	}
	return strings.TrimRight(line, "\r\n"), true
}

// bearerFields reads the user and the token of an XOAUTH2 or OAUTHBEARER
// response.
func bearerFields(mech, raw string) (user, token string, ok bool) {
	fields := strings.Split(raw, "\x01")
	for i, f := range fields {
		switch {
		case mech == "XOAUTH2" && i == 0:
			user, ok = strings.CutPrefix(f, "user=")
			if !ok {
				return "", "", false
			}
		case mech == "OAUTHBEARER" && i == 0:
			// "n,a=user," (GS2 header)
			parts := strings.Split(f, ",")
			if len(parts) < 2 || parts[0] != "n" {
				return "", "", false
			}
			user, _ = strings.CutPrefix(parts[1], "a=")
		case strings.HasPrefix(f, "auth=Bearer "):
			token = strings.TrimPrefix(f, "auth=Bearer ")
		}
	}
	return user, token, token != "" && strings.HasSuffix(raw, "\x01\x01")
}

// transaction handles the commands of the TRANSACTION state.
func (ss *session) transaction(name string, args []string) bool {
	switch name {
	case "NOOP":
		return ss.reply(name, "+OK\r\n")
	case "RSET":
		ss.deleted = map[int]bool{}
		return ss.reply(name, "+OK\r\n")
	case "STAT":
		n, size := 0, int64(0)
		for i, m := range ss.msgs {
			if !ss.deleted[i+1] {
				n++
				size += int64(len(m.Data)) + ss.faults.ListSizeDelta
			}
		}
		return ss.reply(name, fmt.Sprintf("+OK %d %d\r\n", n, size))
	case "LIST", "UIDL":
		return ss.listing(name, args)
	case "RETR", "TOP", "DELE":
		return ss.message(name, args)
	}
	return ss.reply(name, "-ERR unknown command\r\n")
}

// listing answers LIST or UIDL, for one message or all.
func (ss *session) listing(name string, args []string) bool {
	if name == "UIDL" && ss.cfg.NoUIDL {
		return ss.reply(name, "-ERR unknown command\r\n")
	}
	value := func(i int) string {
		if name == "UIDL" {
			return ss.msgs[i-1].UID
		}
		if size, ok := ss.faults.ListSizes[ss.msgs[i-1].UID]; ok {
			return strconv.FormatInt(size, 10)
		}
		return strconv.FormatInt(int64(len(ss.msgs[i-1].Data))+ss.faults.ListSizeDelta, 10)
	}
	if len(args) > 0 {
		i, ok := ss.number(args[0])
		if !ok {
			return ss.reply(name, "-ERR no such message\r\n")
		}
		return ss.reply(name, fmt.Sprintf("+OK %d %s\r\n", i, value(i)))
	}
	if name == "LIST" && (ss.faults.ListSizeDelta != 0 || len(ss.faults.ListSizes) > 0) {
		ss.s.fire()
	}
	var b strings.Builder
	b.WriteString("+OK\r\n")
	for i := range ss.msgs {
		if !ss.deleted[i+1] {
			fmt.Fprintf(&b, "%d %s\r\n", i+1, value(i+1))
		}
	}
	b.WriteString(".\r\n")
	return ss.reply(name, b.String())
}

// number parses a message number that exists and is not deleted.
func (ss *session) number(arg string) (int, bool) {
	i, err := strconv.Atoi(arg)
	if err != nil || i < 1 || i > len(ss.msgs) || ss.deleted[i] {
		return 0, false
	}
	return i, true
}

func (ss *session) message(name string, args []string) bool {
	if len(args) == 0 {
		return ss.reply(name, "-ERR message number required\r\n")
	}
	i, ok := ss.number(args[0])
	if !ok {
		return ss.reply(name, "-ERR no such message\r\n")
	}
	data := ss.msgs[i-1].Data
	switch name {
	case "DELE":
		ss.deleted[i] = true
		return ss.reply(name, "+OK marked\r\n")
	case "TOP":
		lines, err := strconv.Atoi(strings.Join(args[1:], ""))
		if err != nil || lines < 0 {
			return ss.reply(name, "-ERR usage: TOP msg n\r\n")
		}
		data = top(data, lines)
	case "RETR":
		ss.s.mu.Lock()
		ss.s.retrieved[ss.msgs[i-1]] = true
		ss.s.mu.Unlock()
	}
	if ss.cfg.UTF8 && !ss.utf8 && has8BitHeader(ss.msgs[i-1].Data) {
		ss.s.fire()
		data = unicodeNotice(data)
	}
	return ss.reply(name, fmt.Sprintf("+OK %d octets\r\n", len(data))+string(Stuff(data)))
}

// has8BitHeader reports whether a message's header holds a byte over
// 127, which Courier takes for UTF-8.
func has8BitHeader(data []byte) bool {
	end := bytes.Index(data, []byte("\r\n\r\n"))
	if end < 0 {
		end = len(data)
	}
	for _, b := range data[:end] {
		if b >= 0x80 {
			return true
		}
	}
	return false
}

// unicodeNotice wraps data as Courier does for a client that did not
// send UTF8: a notice of its own, with the message attached.
func unicodeNotice(data []byte) []byte {
	const boundary = "=_pop3test-unicode"
	var b bytes.Buffer
	b.WriteString("From: Mail Delivery Subsystem <postmaster>\r\nSubject: Cannot display Unicode content\r\n" +
		"Mime-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n\r\n--" + boundary + "\r\n" +
		"Content-Type: text/plain\r\n\r\nThis E-mail message was determined to be Unicode-formatted\r\n" +
		"but your E-mail reader does not support Unicode E-mail.\r\n\r\n--" + boundary + "\r\nContent-Type: message/global\r\n\r\n")
	b.Write(data)
	b.WriteString("\r\n--" + boundary + "--\r\n")
	return b.Bytes()
}

// top returns the header and the first n lines of the body.
func top(data []byte, n int) []byte {
	end := bytes.Index(data, []byte("\r\n\r\n"))
	if end < 0 {
		return data
	}
	end += 4
	for ; n > 0 && end < len(data); n-- {
		nl := bytes.IndexByte(data[end:], '\n')
		if nl < 0 {
			return data
		}
		end += nl + 1
	}
	return data[:end]
}

// Stuff encodes data as a POP3 multi-line body: a dot before every line
// that starts with one, CRLF added if the data does not end with it, and
// the terminating ".\r\n". Lines begin after CRLF, as in the client.
func Stuff(data []byte) []byte {
	out := make([]byte, 0, len(data)+len(data)/64+5)
	start := true
	for i, b := range data {
		if start && b == '.' {
			out = append(out, '.')
		}
		out = append(out, b)
		start = b == '\n' && i > 0 && data[i-1] == '\r'
	}
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		out = append(out, '\r', '\n')
	}
	return append(out, ".\r\n"...)
}
