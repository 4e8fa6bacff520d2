package pop3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/emersion/go-sasl"
)

// Login authenticates with USER and PASS (RFC 1939).
func (c *Client) Login(ctx context.Context, user, password string) error {
	if err := c.mayAuth("USER", user, password); err != nil {
		return err
	}
	return c.do(ctx, func() error {
		if _, err := c.cmd("", "USER", user); err != nil {
			return err
		}
		if _, err := c.cmd(redacted, "PASS", password); err != nil {
			return err
		}
		c.caps = nil
		return nil
	})
}

// apopStamp finds the timestamp a server puts in its greeting to offer APOP.
var apopStamp = regexp.MustCompile(`<[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+>`)

// APOP authenticates with the greeting's timestamp and an MD5 digest
// (RFC 1939, section 7). MD5 is weak: prefer TLS with [Client.Login] or
// [Client.Auth]; APOP is here for old servers.
func (c *Client) APOP(ctx context.Context, user, secret string) error {
	if err := c.mayAuth("APOP", user, secret); err != nil {
		return err
	}
	return c.do(ctx, func() error {
		stamp := apopStamp.FindString(c.greeting)
		if stamp == "" {
			return ErrNoAPOP
		}
		sum := md5.Sum([]byte(stamp + secret))
		if _, err := c.cmd(user+" "+redacted, "APOP", user, hex.EncodeToString(sum[:])); err != nil {
			return err
		}
		c.caps = nil
		return nil
	})
}

// Auth authenticates with a SASL mechanism (RFC 5034), for example
// sasl.NewPlainClient("", user, password), [NewXOAuth2Client] or
// [NewOAuthBearerClient], sending the initial response with AUTH, in one
// step. A server's refusal of an OAuth token is a [*TokenError].
func (c *Client) Auth(ctx context.Context, client sasl.Client) error {
	return c.auth(ctx, client, true)
}

// AuthTwoStep is Auth with the initial response held back until the
// server's empty challenge ("+"): AUTH, then "+", then the response.
// Office 365's POP refuses XOAUTH2 with an initial response.
func (c *Client) AuthTwoStep(ctx context.Context, client sasl.Client) error {
	return c.auth(ctx, client, false)
}

func (c *Client) auth(ctx context.Context, client sasl.Client, oneStep bool) error {
	mech, ir, err := client.Start()
	if err != nil {
		return fmt.Errorf("pop3: AUTH: %w", err)
	}
	if err := c.mayAuth("AUTH", mech); err != nil {
		return err
	}
	err = c.do(ctx, func() error {
		args := []string{mech}
		var held []byte
		switch {
		case ir != nil && oneStep:
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
		c.caps = nil
		return nil
	})
	var perr *Error
	if b, ok := client.(bearer); ok && errors.As(err, &perr) {
		return &TokenError{Err: perr, Status: b.status()}
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
