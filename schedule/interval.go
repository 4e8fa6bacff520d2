package schedule

import (
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"strings"
	"time"
)

// calendarSteps are the intervals, in minutes, that a calendar schedule
// (cron's, systemd's OnCalendar=) repeats evenly: divisors of an hour,
// then of a day in whole hours.
var calendarSteps = []int{1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440}

// calendarStep rounds every down to the nearest calendar step, so that a
// backup runs at least as often as asked (a day at most).
func calendarStep(every time.Duration) int {
	minutes := int(every / time.Minute)
	step := calendarSteps[0]
	for _, s := range calendarSteps {
		if s <= minutes {
			step = s
		}
	}
	return step
}

// slot is when in its step a job runs: minute (0-59) and hour (0-23)
// offsets, spread by the machine, the user and the archive, so that the
// jobs of many people (and of two archives) do not all knock on a mail
// server at the top of the hour.
type slot struct{ minute, hour int }

func slotFor(name string, step int) slot {
	h := fnv.New32a()
	host, _ := os.Hostname()
	fmt.Fprintf(h, "%s\x00%d\x00%s", host, os.Getuid(), name)
	n := int(h.Sum32())
	if step < 60 {
		return slot{minute: n % step}
	}
	return slot{minute: n % 60, hour: (n / 60) % (step / 60)}
}

// cronSpec is the five time fields of a crontab line for step and s.
func cronSpec(step int, s slot) string {
	switch {
	case step < 60:
		return fmt.Sprintf("%d-59/%d * * * *", s.minute, step)
	case step == 60:
		return fmt.Sprintf("%d * * * *", s.minute)
	case step < 1440:
		return fmt.Sprintf("%d %d-23/%d * * *", s.minute, s.hour, step/60)
	}
	return fmt.Sprintf("%d %d * * *", s.minute, s.hour)
}

// onCalendar is systemd's calendar event for step and s.
func onCalendar(step int, s slot) string {
	switch {
	case step < 60:
		return fmt.Sprintf("*-*-* *:%02d/%d:00", s.minute, step)
	case step == 60:
		return fmt.Sprintf("*-*-* *:%02d:00", s.minute)
	case step < 1440:
		return fmt.Sprintf("*-*-* %02d/%d:%02d:00", s.hour, step/60, s.minute)
	}
	return fmt.Sprintf("*-*-* %02d:%02d:00", s.hour, s.minute)
}

// cronEvery reads the interval back from the five time fields that
// cronSpec writes; 0 for any other schedule.
func cronEvery(fields []string) time.Duration {
	if len(fields) != 5 || fields[2] != "*" || fields[3] != "*" || fields[4] != "*" {
		return 0
	}
	minute, hour := fields[0], fields[1]
	if hour == "*" {
		if !isNumber(minute) {
			if _, step, ok := rangeStep(minute, 59); ok && 60%step == 0 {
				return time.Duration(step) * time.Minute
			}
			return 0
		}
		return time.Hour
	}
	if !isNumber(minute) {
		return 0
	}
	if isNumber(hour) {
		return 24 * time.Hour
	}
	if _, step, ok := rangeStep(hour, 23); ok && 24%step == 0 {
		return time.Duration(step) * time.Hour
	}
	return 0
}

// calendarEvery reads the interval back from an OnCalendar= that
// onCalendar writes; 0 for any other.
func calendarEvery(spec string) time.Duration {
	rest, ok := strings.CutPrefix(spec, "*-*-* ")
	if !ok {
		return 0
	}
	hms := strings.Split(rest, ":")
	if len(hms) != 3 || hms[2] != "00" {
		return 0
	}
	hour, minute := hms[0], hms[1]
	switch {
	case hour == "*" && isNumber(minute):
		return time.Hour
	case hour == "*":
		if first, step, ok := splitStep(minute); ok && isNumber(first) && 60%step == 0 {
			return time.Duration(step) * time.Minute
		}
	case isNumber(minute) && isNumber(hour):
		return 24 * time.Hour
	case isNumber(minute):
		if first, step, ok := splitStep(hour); ok && isNumber(first) && 24%step == 0 {
			return time.Duration(step) * time.Hour
		}
	}
	return 0
}

// rangeStep reads cron's "A-LAST/STEP" or "*/STEP".
func rangeStep(field string, last int) (first, step int, ok bool) {
	r, st, ok := splitStep(field)
	if !ok {
		return 0, 0, false
	}
	if r == "*" {
		return 0, st, true
	}
	a, b, ok := strings.Cut(r, "-")
	if !ok || !isNumber(a) || b != strconv.Itoa(last) {
		return 0, 0, false
	}
	first, _ = strconv.Atoi(a)
	return first, st, true
}

func splitStep(field string) (string, int, bool) {
	r, s, ok := strings.Cut(field, "/")
	if !ok || !isNumber(s) {
		return "", 0, false
	}
	step, _ := strconv.Atoi(s)
	return r, step, step > 0
}

func isNumber(s string) bool {
	if s == "" || len(s) > 4 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
