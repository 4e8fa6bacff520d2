package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"popvault/archive"
	"popvault/fetch"
	"popvault/health"
	"popvault/schedule"
)

// The Settings switch "Keep backing up when popvault is closed" installs
// or removes the job the system runs (package schedule), and shows what
// is really installed: it is read back from the system each time
// Settings opens, never remembered.

func (u *UI) scheduler() *schedule.Scheduler {
	if u.opts.Scheduler != nil {
		return u.opts.Scheduler
	}
	return schedule.New(schedule.Options{})
}

// jobArchive is the archive as the job names it: "" for the default one.
func (u *UI) jobArchive() string {
	if u.opts.ArchivePath == archive.DefaultPath() {
		return ""
	}
	return u.opts.ArchivePath
}

// scheduleSection is Settings' switch and what it says.
func (u *UI) scheduleSection() fyne.CanvasObject {
	said := widget.NewLabel("Reading what is installed…")
	said.Wrapping = fyne.TextWrapWord
	check := u.dialogCheck("Keep backing up when popvault is closed", nil)
	check.Disable()
	var apply func(on bool)
	show := func(job *schedule.Job, err error, warnings []string) {
		check.OnChanged = nil // setting it must not install or remove again
		check.SetChecked(job != nil)
		check.OnChanged = apply
		check.Enable()
		var text string
		switch {
		case err != nil:
			text = "It could not be changed: " + err.Error()
		case job == nil:
			text = "Off: popvault backs up only while it is open."
		default:
			text = health.JobWords(*job, time.Now()) + "."
		}
		if len(warnings) > 0 {
			text += "\n" + strings.Join(warnings, "\n")
		}
		said.SetText(text)
	}
	apply = func(on bool) {
		check.Disable()
		said.SetText("Changing…")
		accts := append([]fetch.Account(nil), u.accounts...)
		u.background(func() func() {
			job, warnings, err := u.setSchedule(on, accts)
			return func() { show(job, err, warnings) }
		})
	}
	u.background(func() func() {
		job, err := u.scheduler().Status(context.Background(), u.jobArchive())
		if errors.Is(err, schedule.ErrNotInstalled) {
			return func() { show(nil, nil, nil) }
		}
		if err != nil {
			return func() { show(nil, fmt.Errorf("reading what is installed: %w", err), nil) }
		}
		return func() { show(&job, nil, nil) }
	})
	return container.NewVBox(check, said)
}

// setSchedule installs or removes the job, off the Fyne goroutine, and
// returns what is installed then. Before installing it reads each
// account's password the way the job will (health.CheckAsJob), and says
// which would fail.
func (u *UI) setSchedule(on bool, accts []fetch.Account) (*schedule.Job, []string, error) {
	ctx := context.Background()
	s := u.scheduler()
	if !on {
		if err := s.Remove(ctx, u.jobArchive()); err != nil && !errors.Is(err, schedule.ErrNotInstalled) {
			job, _ := s.Status(ctx, u.jobArchive())
			return &job, nil, err
		}
		return nil, nil, nil
	}
	self := u.opts.Exe
	if self == "" {
		var err error
		if self, err = os.Executable(); err != nil {
			return nil, nil, err
		}
	}
	var warnings []string
	checks, err := health.CheckAsJob(ctx, self, u.opts.ArchivePath, accts)
	if err != nil {
		warnings = append(warnings, "The accounts' passwords could not be checked: "+err.Error())
	}
	for _, c := range checks {
		if !c.OK {
			warnings = append(warnings, fmt.Sprintf("%s would fail when popvault is closed: %s. %s", c.Account, c.Words, c.Fix))
		}
	}
	job, err := s.Install(ctx, schedule.Spec{Exe: self, Archive: u.jobArchive(), Env: schedule.Environment()})
	if err != nil {
		return nil, warnings, err
	}
	return &job, warnings, nil
}
