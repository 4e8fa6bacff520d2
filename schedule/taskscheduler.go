package schedule

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/encoding/unicode"
)

// taskNamespace is the Task Scheduler's schema.
const taskNamespace = "http://schemas.microsoft.com/windows/2004/02/mit/task"

// task is a Task Scheduler task definition, the part popvault writes
// (learn.microsoft.com: Task Scheduler Schema).
type task struct {
	XMLName     xml.Name  `xml:"Task"`
	Version     string    `xml:"version,attr"`
	Xmlns       string    `xml:"xmlns,attr,omitempty"`
	Description string    `xml:"RegistrationInfo>Description"`
	Trigger     trigger   `xml:"Triggers>TimeTrigger"`
	Principal   principal `xml:"Principals>Principal"`
	Settings    settings  `xml:"Settings"`
	Actions     actions   `xml:"Actions"`
}

type trigger struct {
	Interval      string `xml:"Repetition>Interval"`
	StartBoundary string `xml:"StartBoundary"`
	Enabled       bool   `xml:"Enabled"`
}

// principal is the current user (no UserId: the one who creates it),
// only while logged on (InteractiveToken: no password is stored), without
// administrator rights.
type principal struct {
	ID        string `xml:"id,attr"`
	LogonType string `xml:"LogonType"`
	RunLevel  string `xml:"RunLevel"`
}

type settings struct {
	MultipleInstancesPolicy    string `xml:"MultipleInstancesPolicy"`
	DisallowStartIfOnBatteries bool   `xml:"DisallowStartIfOnBatteries"`
	StopIfGoingOnBatteries     bool   `xml:"StopIfGoingOnBatteries"`
	StartWhenAvailable         bool   `xml:"StartWhenAvailable"`
	Enabled                    bool   `xml:"Enabled"`
}

type actions struct {
	Context string `xml:"Context,attr"`
	Exec    struct {
		Command   string `xml:"Command"`
		Arguments string `xml:"Arguments,omitempty"`
	} `xml:"Exec"`
}

// taskDefinition is the task for sp, starting at the minute after now,
// as the UTF-16 document that schtasks /Create /XML reads.
func taskDefinition(sp Spec, now time.Time) []byte {
	t := task{
		Version:     "1.2",
		Xmlns:       taskNamespace,
		Description: "popvault: back up mail every " + minutesWords(int(sp.Every/time.Minute)) + " (" + archiveWords(sp.Archive) + "). popvault schedule off, or the switch in its Settings, removes it.",
		Trigger: trigger{
			Interval:      fmt.Sprintf("PT%dM", int(sp.Every/time.Minute)),
			StartBoundary: now.Truncate(time.Minute).Add(time.Minute).Format("2006-01-02T15:04:05"),
			Enabled:       true,
		},
		Principal: principal{ID: "Author", LogonType: "InteractiveToken", RunLevel: "LeastPrivilege"},
		// IgnoreNew: a run still going when the next is due is left to
		// finish. StartWhenAvailable: a run missed while the computer
		// was off happens when it is on again. A backup runs on battery.
		Settings: settings{MultipleInstancesPolicy: "IgnoreNew", StartWhenAvailable: true, Enabled: true},
		Actions:  actions{Context: "Author"},
	}
	cmd := sp.command()
	t.Actions.Exec.Command = cmd[0]
	args := make([]string, 0, len(cmd)-1)
	for _, a := range cmd[1:] {
		args = append(args, windowsArg(a))
	}
	t.Actions.Exec.Arguments = strings.Join(args, " ")
	b, _ := xml.MarshalIndent(t, "", "  ") // plain structs of strings: no error
	doc := append([]byte(`<?xml version="1.0" encoding="UTF-16"?>`+"\n"), b...)
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes(doc)
	return utf16
}

// parseTask reads a task definition in UTF-16 (with its byte-order mark,
// as schtasks writes to a file or pipe) or UTF-8.
func parseTask(b []byte) (task, error) {
	if bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff}) ||
		(len(b) > 1 && b[1] == 0) {
		d, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
		if err != nil {
			return task{}, fmt.Errorf("schedule: the task's definition: %w", err)
		}
		b = d
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var t task
	dec := xml.NewDecoder(bytes.NewReader(b))
	// Decoded above already, whatever the declaration says.
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := dec.Decode(&t); err != nil {
		return task{}, fmt.Errorf("schedule: the task's definition: %w", err)
	}
	return t, nil
}

// job is what the definition says, as a Job.
func (t task) job(name string) Job {
	every := isoMinutes(t.Trigger.Interval)
	return Job{
		Name:      name,
		Mechanism: TaskScheduler,
		Every:     every,
		Schedule:  t.Trigger.Interval,
		Command:   append([]string{t.Actions.Exec.Command}, windowsSplit(t.Actions.Exec.Arguments)...),
		Where:     []string{`Task Scheduler Library\` + name},
	}
}

// isoMinutes reads an ISO 8601 duration as the Task Scheduler writes a
// repetition interval ("PT15M", "PT1H", "P1D", "PT1H30M"); 0 if it is not
// one.
func isoMinutes(s string) time.Duration {
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return 0
	}
	var d time.Duration
	inTime := false
	num := ""
	for _, r := range rest {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
		case r == 'T':
			inTime = true
		default:
			n, err := strconv.Atoi(num)
			if err != nil {
				return 0
			}
			num = ""
			switch {
			case r == 'D' && !inTime:
				d += time.Duration(n) * 24 * time.Hour
			case r == 'H' && inTime:
				d += time.Duration(n) * time.Hour
			case r == 'M' && inTime:
				d += time.Duration(n) * time.Minute
			case r == 'S' && inTime:
				d += time.Duration(n) * time.Second
			default:
				return 0
			}
		}
	}
	if num != "" {
		return 0
	}
	return d
}

// schtasks runs schtasks.exe with args.
func (s *Scheduler) schtasks(ctx context.Context, args ...string) ([]byte, error) {
	return s.output(exec.CommandContext(ctx, "schtasks", args...), nil)
}

// installTask creates (or replaces: /F) the task. It returns the job as
// written: Wine's schtasks, on which the tests run, cannot read tasks
// back.
func (s *Scheduler) installTask(ctx context.Context, sp Spec) (Job, error) {
	name := Name(sp.Archive)
	def := taskDefinition(sp, s.now())
	f, err := os.CreateTemp("", "popvault-task-*.xml")
	if err != nil {
		return Job{}, fmt.Errorf("schedule: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(def)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return Job{}, fmt.Errorf("schedule: %w", err)
	}
	if _, err := s.schtasks(ctx, "/Create", "/TN", name, "/XML", filepath.Clean(f.Name()), "/F"); err != nil {
		return Job{}, fmt.Errorf("schedule: the Task Scheduler did not take popvault's task: %w", err)
	}
	t, err := parseTask(def)
	if err != nil {
		return Job{}, err
	}
	return t.job(name), nil
}

func (s *Scheduler) removeTask(ctx context.Context, name string) (bool, error) {
	if _, err := s.schtasks(ctx, "/Query", "/TN", name); err != nil {
		return false, nil // schtasks fails (exit 1) for a task that is not there
	}
	if _, err := s.schtasks(ctx, "/Delete", "/TN", name, "/F"); err != nil {
		return true, fmt.Errorf("schedule: the Task Scheduler would not delete popvault's task: %w", err)
	}
	return true, nil
}

func (s *Scheduler) taskStatus(ctx context.Context, name string) (Job, error) {
	out, err := s.schtasks(ctx, "/Query", "/TN", name, "/XML")
	if err != nil {
		return Job{}, fmt.Errorf("%w (%v)", ErrNotInstalled, err)
	}
	if len(bytes.TrimSpace(out)) == 0 {
		return Job{}, errors.New("schedule: schtasks /Query printed nothing (Wine's schtasks has no /Query)")
	}
	t, err := parseTask(out)
	if err != nil {
		return Job{}, err
	}
	job := t.job(name)
	out, err = s.schtasks(ctx, "/Query", "/TN", name, "/V", "/FO", "CSV", "/NH")
	if err != nil {
		return job, fmt.Errorf("schedule: the last run of popvault's task: %w", err)
	}
	job.LastRun = taskLastRun(out)
	return job, nil
}

// taskLastRun reads the last run from schtasks /Query /V /FO CSV /NH:
// its sixth column is the last run's time, in the user's date format, and
// the seventh its result, a number (0 is success). Headers and times are
// in the user's language: the columns are read by place.
func taskLastRun(out []byte) *Run {
	r := csv.NewReader(bytes.NewReader(out))
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err != nil || len(rec) < 7 {
		return nil
	}
	code, err := strconv.ParseInt(strings.TrimSpace(rec[6]), 10, 64)
	if err != nil {
		return nil
	}
	const hasNotRun = 0x41303 // SCHED_S_TASK_HAS_NOT_RUN
	if code == hasNotRun {
		return nil
	}
	run := &Run{OK: code == 0, Result: fmt.Sprintf("0x%x", code), Status: int(code)}
	run.At, _ = windowsTime(strings.TrimSpace(rec[5]))
	return run
}

// windowsTime reads the common forms of a Windows short date and long
// time: month first where the time has AM/PM (the United States), day
// first where it is 24-hour with slashes or dots (most of Europe), and
// year first (ISO, East Asia).
func windowsTime(s string) (time.Time, bool) {
	for _, layout := range []string{
		"1/2/2006 3:04:05 PM", "2006-01-02 15:04:05", "2006/01/02 15:04:05", "2/1/2006 15:04:05", "2.1.2006 15:04:05",
	} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil && t.Year() > 2000 {
			return t, true
		}
	}
	return time.Time{}, false
}
