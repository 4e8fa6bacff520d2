package deliver

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"popvault/fetch"
	"popvault/restore"
)

// backlogChunk is how many archived messages a backlog sends at a time
// while holding the target: a fetch that delivers meanwhile waits for
// one chunk at most.
const backlogChunk = 200

// Backlog puts into acct's target what it archived before delivery was
// turned on ("also what is already archived"): a restore, as archived
// (read state and dates kept), with the same records as the delivery, so
// that a message goes there once whichever sends it. Each message is
// first recorded as wanted, in one commit, so that from then on it holds
// the source until it is there, and a fetch sends what a backlog cut off
// (closed, killed) did not. It returns how many messages are in the
// target now, of how many.
func (s *Service) Backlog(ctx context.Context, acct fetch.Account) (done, total int, err error) {
	if acct.Deliver == nil {
		return 0, 0, fmt.Errorf("deliver: the account %q does not deliver", acct.Name)
	}
	ids, err := restore.Select(s.Archive, acct.Name, "")
	if err != nil {
		return 0, 0, err
	}
	led := ledgerOf(s.Archive, acct)
	if _, err := led.want(ids); err != nil {
		return 0, len(ids), fmt.Errorf("deliver: recording what to put there: %w", err)
	}
	var creds *restore.Credentials
	var refusal error // a message too large: said, and the rest goes on
	for {
		n, queue, err := s.backlogStep(ctx, acct, led, ids, &creds)
		if errors.Is(err, ErrRefused) {
			refusal, err = err, nil
		}
		if err != nil || len(queue) == 0 {
			return n, len(ids), cmp.Or(err, refusal)
		}
	}
}

// backlogStep sends the next chunk of what is wanted and not yet there,
// holding the target, and returns how many of ids are there, and the
// chunk it sent (none: all is done).
func (s *Service) backlogStep(ctx context.Context, acct fetch.Account, led ledger, ids []uint64, creds **restore.Credentials) (int, []uint64, error) {
	unlock, err := lockTarget(ctx, s.Archive, led.target)
	if err != nil {
		return 0, nil, err
	}
	defer unlock()
	had, err := led.read()
	if err != nil {
		return 0, nil, err
	}
	var queue []uint64
	there := 0
	for _, id := range ids {
		switch e, ok := had[id]; {
		case ok && e.state == delivered:
			there++
		case !ok || e.state == wanted:
			queue = append(queue, id)
		}
	}
	if len(queue) == 0 {
		return there, nil, nil
	}
	queue = queue[:min(len(queue), backlogChunk)]
	if *creds == nil {
		c, err := s.SignIn(ctx, acct)
		if err != nil {
			return there, queue, fmt.Errorf("deliver: signing in to %s: %w", acct.Deliver, err)
		}
		*creds = &c
	}
	// Progress counts over the whole backlog, not this chunk.
	whole := *s
	if s.Progress != nil {
		whole.Progress = func(account string, p restore.Progress) {
			p.Done += there
			p.Total = len(ids)
			s.Progress(account, p)
		}
	}
	sent, err := whole.send(ctx, acct, led, queue, **creds, restore.AsArchived, map[uint64]string{}, nil)
	if err == nil && len(sent) == 0 && len(queue) > 0 {
		err = fmt.Errorf("deliver: %s took none of %d messages; the rest waits for the next fetch", acct.Deliver, len(queue))
	}
	return there + len(sent), queue, err
}
