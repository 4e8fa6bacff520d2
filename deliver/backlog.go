package deliver

import (
	"context"
	"fmt"

	"popvault/fetch"
	"popvault/restore"
)

// Backlog puts into acct's target what it archived before delivery was
// turned on ("also what is already archived"): a restore, as archived
// (read state and dates kept), with the same records as the delivery, so
// that a message goes there once whichever sends it. It returns how many
// messages are in the target now, of how many.
func (s *Service) Backlog(ctx context.Context, acct fetch.Account) (done, total int, err error) {
	if acct.Deliver == nil {
		return 0, 0, fmt.Errorf("deliver: the account %q does not deliver", acct.Name)
	}
	ids, err := restore.Select(s.Archive, acct.Name, "")
	if err != nil {
		return 0, 0, err
	}
	led := ledgerOf(s.Archive, acct)
	had, err := led.read()
	if err != nil {
		return 0, 0, err
	}
	var queue []uint64
	for _, id := range ids {
		if _, ok := had[id]; !ok {
			queue = append(queue, id)
		}
	}
	if len(queue) == 0 {
		return len(ids), len(ids), nil
	}
	creds, err := s.SignIn(ctx, acct)
	if err != nil {
		return len(ids) - len(queue), len(ids), fmt.Errorf("deliver: signing in to %s: %w", acct.Deliver, err)
	}
	sent, err := s.send(ctx, acct, led, queue, creds, restore.AsArchived, map[uint64]string{})
	return len(ids) - len(queue) + len(sent), len(ids), err
}
