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
// sasl.NewPlainClient("", user, password) or [NewXOAuth2Client].
func (c *Client) Auth(ctx context.Context, client sasl.Client) error {
	mech, ir, err := client.Start()
	if err != nil {
		return fmt.Errorf("pop3: AUTH: %w", err)
	}
	if err := c.mayAuth("AUTH", mech); err != nil {
		return err
	}
	return c.do(ctx, func() error {
		args := []string{mech}
		if ir != nil {
			args = append(args, encodeSASL(ir))
		}
		if err := c.send(mech+" "+redacted, "AUTH", args...); err != nil {
			return err
		}
		if err := c.saslExchange(client); err != nil {
			return err
		}
		c.caps = nil
		return nil
	})
}

// saslExchange answers the server's challenges until +OK or -ERR.
func (c *Client) saslExchange(client sasl.Client) error {
	for {
		if err := c.bw.Flush(); err != nil {
			return readErr(err)
		}
		c.dc.startReply()
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

// xoauth2 is Google's and Microsoft's SASL XOAUTH2 mechanism, which go-sasl
// does not carry.
type xoauth2 struct{ user, token string }

// NewXOAuth2Client returns a SASL client for XOAUTH2 with an OAuth 2.0
// access token.
func NewXOAuth2Client(user, token string) sasl.Client { return &xoauth2{user, token} }

func (x *xoauth2) Start() (string, []byte, error) {
	if strings.ContainsAny(x.user+x.token, "\x01") {
		return "", nil, errors.New("xoauth2: invalid user or token")
	}
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers the server's error challenge (a JSON status) with an empty
// response, after which the server replies -ERR.
func (x *xoauth2) Next([]byte) ([]byte, error) { return []byte{}, nil }
