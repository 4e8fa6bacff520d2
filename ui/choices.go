package ui

import (
	"fmt"
	"slices"
)

// choices are the values a Select offers, with their words. An account
// made on the command line may hold a value the window does not offer
// (`--delete-after-days 14`, `--check-every 30`); the account dialog then
// offers that value too, so that opening and saving the account keeps it
// rather than moving it to the nearest offered one (which, for the days a
// message stays on the server, would delete mail sooner than was asked).
type choices struct {
	values []int
	words  func(int) string
}

// labels are the words of each value, in order.
func (c choices) labels() []string {
	l := make([]string, len(c.values))
	for i, v := range c.values {
		l[i] = c.words(v)
	}
	return l
}

// with returns the choices with v among them, in order.
func (c choices) with(v int) choices {
	if slices.Contains(c.values, v) {
		return c
	}
	values := append(slices.Clone(c.values), v)
	slices.Sort(values)
	return choices{values: values, words: c.words}
}

// index is v's place; -1 when it is not offered.
func (c choices) index(v int) int { return slices.Index(c.values, v) }

// value is the value at i, the Select's SelectedIndex; ok is false when
// nothing is selected.
func (c choices) value(i int) (v int, ok bool) {
	if i < 0 || i >= len(c.values) {
		return 0, false
	}
	return c.values[i], true
}

// checkChoices: how often the window checks an account. A minute suits an
// account that delivers into another inbox, where mail is awaited.
var checkChoices = choices{values: []int{0, 1, 5, 15, 60}, words: everyWords}

// deleteChoices: how many days a message stays on the server after it is
// archived.
var deleteChoices = choices{values: []int{7, 30, 90, 365}, words: dayWords}

func everyWords(minutes int) string {
	switch {
	case minutes <= 0:
		return "Off"
	case minutes == 1:
		return "Every minute"
	case minutes == 60:
		return "Every hour"
	case minutes%60 == 0:
		return fmt.Sprintf("Every %d hours", minutes/60)
	}
	return fmt.Sprintf("Every %d minutes", minutes)
}

func dayWords(days int) string {
	switch days {
	case 1:
		return "1 day"
	case 365:
		return "a year"
	}
	return fmt.Sprintf("%d days", days)
}
