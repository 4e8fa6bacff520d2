package pop3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"syscall"

	"github.com/emersion/go-sasl"
)

// Login authenticates with USER and PASS (RFC 1939). Read [Client.Capa]
// first: when it announced PIPELINING, USER and PASS go together, and when
// it announced UTF8 (RFC 6856), UTF8 goes before them.
func (c *Client) Login(ctx context.Context, user, password string) error {
	if err := c.mayAuth("USER", user, password); err != nil {
		return err
	}
	return c.do(ctx, func() error {
		err := c.authorize(c.withUTF8(
			command{name: "USER", args: []string{user}},
			command{shown: redacted, name: "PASS", args: []string{password}}))
		if err == nil {
			c.loggedIn()
		}
		return err
	})
}

// apopStamp finds the timestamp a server puts in its greeting to offer APOP.
var apopStamp = regexp.MustCompile(`<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>`)

// APOP authenticates with the greeting's timestamp and an MD5 digest
// (RFC 1939, section 7), so that the secret itself never crosses the
// network. MD5 is weak: a digest that was overheard can be tested against
// guessed passwords. Over TLS prefer [Client.Login] or [Client.Auth]; APOP
// is for connections without it. A greeting without a timestamp gives
// [ErrNoAPOP] before anything is sent, and the session goes on.
func (c *Client) APOP(ctx context.Context, user, secret string) error {
	if err := c.mayAuth("APOP", user, secret); err != nil {
		return err
	}
	if _, err := c.Greet(ctx); err != nil {
		return err
	}
	stamp := apopStamp.FindString(c.greeting)
	if stamp == "" {
		return ErrNoAPOP
	}
	sum := md5.Sum([]byte(stamp + secret))
	return c.do(ctx, func() error {
		err := c.authorize(c.withUTF8(
			command{shown: user + " " + redacted, name: "APOP", args: []string{user, hex.EncodeToString(sum[:])}}))
		if err == nil {
			c.loggedIn()
		}
		return err
	})
}

// Auth authenticates with a SASL mechanism (RFC 5034), for example
// sasl.NewPlainClient("", user, password), [bearer.NewXOAuth2] or
// [bearer.NewOAuthBearer], sending the initial response with AUTH, in one
// step. A server's refusal of an OAuth token is a [*TokenError].
//
// Some servers refuse an initial response (Office 365's POP does, and then
// closes the connection). So when an XOAUTH2 or OAUTHBEARER response in
// one step is refused at once, with no error challenge, Auth tries the two
// steps of [Client.AuthTwoStep] in the same session, and the session's
// later AUTHs go in two steps. If the server closed the connection
// meanwhile, the error is [ErrInitialResponseRefused]: log in again on a
// new connection with AuthTwoStep.
func (c *Client) Auth(ctx context.Context, client sasl.Client) error {
	if c.twoStep {
		return c.auth(ctx, client, twoSteps)
	}
	err := c.auth(ctx, client, oneStep)
	b, isBearer := tokenClient(client)
	var perr *Error
	if !isBearer || !errors.As(err, &perr) || perr.Temporary() || challenged(b) {
		return err
	}
	c.twoStep = true
	err2 := c.auth(ctx, client, twoSteps)
	if err2 != nil && closedByServer(err2) {
		return fmt.Errorf("%w (it said %q)", ErrInitialResponseRefused, perr.Text)
	}
	return err2
}

// closedByServer reports whether err is the server closing the connection.
func closedByServer(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// AuthTwoStep is Auth with the initial response held back until the
// server's empty challenge ("+"): AUTH, then "+", then the response.
// Office 365's POP refuses XOAUTH2 with an initial response.
func (c *Client) AuthTwoStep(ctx context.Context, client sasl.Client) error {
	return c.auth(ctx, client, twoSteps)
}

// steps is how an AUTH exchange sends the mechanism's initial response.
type steps int

const (
	oneStep  steps = iota // with the AUTH line (RFC 5034's initial response)
	twoSteps              // after the server's empty challenge ("+")
)

// auth runs one AUTH exchange, after UTF8 when the server announced it
// (a flight of its own: AUTH's exchange is not pipelined).
func (c *Client) auth(ctx context.Context, client sasl.Client, how steps) error {
	mech, ir, err := client.Start()
	if err != nil {
		return fmt.Errorf("pop3: AUTH: %w", err)
	}
	if err := c.mayAuth("AUTH", mech); err != nil {
		return err
	}
	err = c.do(ctx, func() error {
		if err := c.authorize(c.withUTF8()); err != nil {
			return err
		}
		args := []string{mech}
		var held []byte
		switch {
		case ir != nil && how == oneStep:
			args = append(args, encodeSASL(ir))
		case ir != nil:
			held = ir
		}
		if err := c.send(mech+" "+redacted, "AUTH", args...); err != nil {
			return err
		}
		if err := c.saslExchange(client, held); err != nil {
			return err
		}
		c.loggedIn()
		return nil
	})
	var perr *Error
	if b, ok := tokenClient(client); ok && errors.As(err, &perr) {
		status, _ := b.Refusal()
		return &TokenError{Err: perr, Status: status}
	}
	return err
}

// saslExchange answers the server's challenges until +OK or -ERR. held
// is an initial response to send at the first challenge instead of
// asking the client.
func (c *Client) saslExchange(client sasl.Client, held []byte) error {
	for {
		if err := c.bw.Flush(); err != nil {
			return readErr(err)
		}
		if err := c.readGreeting(); err != nil {
			return err
		}
		c.dc.startReply("AUTH")
		line, err := c.readLine()
		if err != nil {
			return err
		}
		c.logServer(line)
		if ok, _ := cutStatus(line, "+OK"); ok {
			return nil
		}
		if ok, text := cutStatus(line, "-ERR"); ok {
			return parseError("AUTH", text)
		}
		if line != "+" && !strings.HasPrefix(line, "+ ") {
			return protocolError("AUTH", line)
		}
		challenge, err := base64.StdEncoding.DecodeString(strings.TrimSpace(line[1:]))
		if err != nil {
			return protocolError("AUTH", line)
		}
		if held != nil && len(challenge) == 0 {
			c.logClient(redacted)
			c.bw.WriteString(base64.StdEncoding.EncodeToString(held) + "\r\n")
			held = nil
			continue
		}
		resp, err := client.Next(challenge)
		if err != nil {
			c.send("", "*") // cancel the exchange (RFC 5034, section 4)
			continue
		}
		c.logClient(redacted)
		c.bw.WriteString(base64.StdEncoding.EncodeToString(resp) + "\r\n")
	}
}

// encodeSASL encodes an initial response; "=" stands for an empty one.
func encodeSASL(ir []byte) string {
	if len(ir) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(ir)
}

// mayAuth refuses to let a credential leave over a plaintext connection and
// checks arguments before anything is sent.
func (c *Client) mayAuth(name string, args ...string) error {
	if err := checkArgs(name, args...); err != nil {
		return err
	}
	if !c.isTLS && !c.opts.AllowInsecureAuth {
		return ErrInsecureAuth
	}
	return nil
}
