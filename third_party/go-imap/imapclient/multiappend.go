package imapclient

import (
	"io"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/internal"
)

// popvault: MULTIAPPEND (RFC 3502) is not in upstream go-imap v2.0.0-beta.8.

// MultiAppend sends an APPEND command that carries several messages, as
// RFC 3502 allows where the server has MULTIAPPEND. The server stores all
// of them or none.
//
// For each message the caller calls MultiAppendCommand.Message, writes the
// message's bytes and closes the writer; then it calls
// MultiAppendCommand.Close.
func (c *Client) MultiAppend(mailbox string) *MultiAppendCommand {
	cmd := &MultiAppendCommand{}
	cmd.enc = c.beginCommand("APPEND", cmd)
	cmd.enc.SP().Mailbox(mailbox)
	return cmd
}

// MultiAppendCommand is an APPEND command with several messages.
type MultiAppendCommand struct {
	commandBase
	enc  *commandEncoder
	data MultiAppendData
}

// MultiAppendData is the result of a MULTIAPPEND.
type MultiAppendData struct {
	// UIDs are the messages' UIDs in the order they were sent; they
	// require UIDPLUS.
	UIDs        imap.UIDSet
	UIDValidity uint32
}

// Message begins the next message of size bytes. The caller must write
// exactly size bytes and close the writer before the next call.
//
// The options are optional.
func (cmd *MultiAppendCommand) Message(size int64, options *imap.AppendOptions) io.WriteCloser {
	cmd.enc.SP()
	if options != nil && len(options.Flags) > 0 {
		cmd.enc.List(len(options.Flags), func(i int) {
			cmd.enc.Flag(options.Flags[i])
		}).SP()
	}
	if options != nil && !options.Time.IsZero() {
		cmd.enc.String(options.Time.Format(internal.DateTimeLayout)).SP()
	}
	return cmd.enc.Literal(size)
}

// Close ends the command.
func (cmd *MultiAppendCommand) Close() error {
	if cmd.enc != nil {
		cmd.enc.end()
		cmd.enc = nil
	}
	return nil
}

// Wait waits for the server's answer.
func (cmd *MultiAppendCommand) Wait() (*MultiAppendData, error) {
	return &cmd.data, cmd.wait()
}
