package pop3

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// MessageError is a server's refusal of one message in a batch.
type MessageError struct {
	ID  int
	Err *Error
}

func (e *MessageError) Error() string { return fmt.Sprintf("message %d: %v", e.ID, e.Err) }
func (e *MessageError) Unwrap() error { return e.Err }

// RetrMany retrieves the messages ids in order and passes each to f as
// [Client.Retr] does. When the server announces PIPELINING, up to
// [Options.MaxInFlight] RETR commands are in flight at once, so a batch
// costs a few round trips rather than one per message; otherwise it works
// in lockstep.
//
// A message the server refuses is skipped and reported, with the others, in
// the returned error (each a [*MessageError]). If f returns an error,
// RetrMany sends no further commands, reads and discards the replies already
// requested so that the session stays usable, and returns f's error.
func (c *Client) RetrMany(ctx context.Context, ids []int, f func(id int, r io.Reader) error) error {
	var stopped error
	return c.pipeline(ctx, "RETR", ids, func(id int) (error, error) {
		return c.body(func(r io.Reader) error {
			if stopped == nil {
				stopped = f(id, r)
			}
			return stopped
		})
	}, func() bool { return stopped != nil })
}

// DeleMany marks the messages ids for deletion, pipelined as RetrMany is.
// Nothing is deleted until [Client.Quit] succeeds.
func (c *Client) DeleMany(ctx context.Context, ids []int) error {
	return c.pipeline(ctx, "DELE", ids, nil, nil)
}

// pipeline sends "name id" for each id, keeping a window of commands in
// flight, and reads each status in order; after a +OK, body reads the rest
// of the reply and returns the caller's error and the connection's. Once
// stop reports true no more commands are sent, but replies already
// requested are still read.
func (c *Client) pipeline(ctx context.Context, name string, ids []int, body func(id int) (ferr, err error), stop func() bool) error {
	window := 1
	if c.pipelining(ctx) {
		window = c.opts.MaxInFlight
	}
	var refused []error
	var ferr error
	err := c.do(ctx, func() error {
		sent := 0
		for done := 0; done < len(ids); done++ {
			if sent == done || sent-done <= window/2 {
				for sent < len(ids) && sent-done < window && (stop == nil || !stop()) {
					c.send("", name, itoa(ids[sent]))
					sent++
				}
				if err := c.bw.Flush(); err != nil {
					return readErr(err)
				}
			}
			if done == sent {
				break // stopped early
			}
			_, err := c.status(name)
			var perr *Error
			if errors.As(err, &perr) {
				refused = append(refused, &MessageError{ID: ids[done], Err: perr})
				continue
			}
			if err != nil {
				return err
			}
			if body != nil {
				fe, err := body(ids[done])
				if err != nil {
					return err
				}
				if ferr == nil {
					ferr = fe
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if ferr != nil {
		return ferr
	}
	return errors.Join(refused...)
}
