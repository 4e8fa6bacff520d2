package render

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// countdown is a context cancelled once its Err has been asked n times:
// a render that gives up on it looked at it while under way, not only
// before starting.
type countdown struct {
	context.Context
	n int
}

func (c *countdown) Err() error {
	if c.n--; c.n < 0 {
		return context.Canceled
	}
	return nil
}

// TestCancel: each entry point gives up on a cancelled context, also
// when it is cancelled half way through, and returns the context's error
// and nothing else.
func TestCancel(t *testing.T) {
	html := fill("<p>", "x<i/> ", maxInput)
	plain := fill("", "a line\n", maxInput)
	doc := HTML(fill("", "<p>x", maxInput))
	for _, c := range []struct {
		name string
		run  func(context.Context) (bool, error) // whether it returned a result
	}{
		{"HTML", func(ctx context.Context) (bool, error) {
			d, err := HTMLContext(ctx, html)
			return d != nil, err
		}},
		{"plain text", func(ctx context.Context) (bool, error) {
			d, err := PlainTextContext(ctx, plain, Format{Flowed: true})
			return d != nil, err
		}},
		{"layout", func(ctx context.Context) (bool, error) {
			l, err := LayoutContext(ctx, doc, 60)
			return l != nil, err
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cancelled, cancel := context.WithCancel(context.Background())
			cancel()
			for what, ctx := range map[string]context.Context{"cancelled": cancelled, "cancelled under way": &countdown{context.Background(), 3}} {
				got, err := c.run(ctx)
				if got || !errors.Is(err, context.Canceled) || !strings.HasPrefix(err.Error(), "render: ") {
					t.Errorf("%s: a result %v, error %v", what, got, err)
				}
			}
			if got, err := c.run(context.Background()); !got || err != nil {
				t.Errorf("not cancelled: a result %v, error %v", got, err)
			}
		})
	}
}
