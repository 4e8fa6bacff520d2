// Package schedule installs, removes and reads back the job with which the
// system runs popvault on a timer while its window is closed: the command
// `EXE [--archive PATH] fetch --quiet`, one job per archive.
//
// What it writes is what each system uses for such jobs, and nothing more:
//
//   - Linux with a systemd user manager (`systemctl --user` answers): a
//     Type=oneshot service and a timer in $XDG_CONFIG_HOME/systemd/user
//     (~/.config/systemd/user), then `systemctl --user daemon-reload` and
//     `enable --now` of the timer. The timer's OnCalendar= is a calendar
//     schedule because Persistent=true works only with one: a run missed
//     while the computer was off or asleep happens at the next start. A
//     user manager runs while its user is logged in (or always, with
//     `loginctl enable-linger`). KillMode=process lets a notification's
//     waiter (package notify) outlive the fetch, to open popvault on a
//     click.
//   - Linux without one: two lines in the user's crontab, a marker comment
//     naming the job and its archive, then the job. They are added and
//     removed through `crontab -l` and `crontab -`; every other line is
//     written back byte for byte. A crontab that does not end in a newline
//     gets one before popvault's lines: Debian's crontab refuses to install
//     a file without it ("new crontab file is missing newline before EOF").
//     No crontab at all is `crontab -l` failing with "no crontab for USER";
//     removing the last lines removes the crontab (`crontab -r`).
//   - Windows: a Task Scheduler task for the current user, created from an
//     XML definition with `schtasks /Create /XML`, deleted with
//     `schtasks /Delete` and read back with `schtasks /Query /XML` and
//     `/Query /V /FO CSV` (the last run and its result). It runs
//     popvault.exe, the GUI-subsystem build, so no console window flashes;
//     StartWhenAvailable makes up a run missed while the computer was off.
//     schtasks rather than the Task Scheduler's COM API: it does all of
//     this, and is its documented command line. Its /V listing prints the
//     last run's time in the user's own date format: Status reads the
//     common ones, and otherwise gives the result without the time.
//   - macOS: a LaunchAgent property list in ~/Library/LaunchAgents
//     (StartInterval, RunAtLoad false), loaded with `launchctl bootstrap
//     gui/UID` and unloaded with `launchctl bootout`. launchd runs an
//     interval missed while asleep once on waking.
//
// Cron and systemd's calendar count minutes within the hour and hours
// within the day, so there an interval is rounded down to one that divides
// an hour (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 minutes) or a day (1, 2, 3,
// 4, 6, 8, 12, 24 hours): a backup runs at least as often as asked. The
// [Job] that Install returns says what was installed.
//
// [Scheduler.Status] reads what is installed, never a stored preference:
// the mechanism, the interval, the command, where the system keeps it and,
// where the system records it, the last run and its result. Cron records
// nothing: then [Job.LastRun] is nil and the caller falls back on
// popvault's own records.
//
// A scheduled run has no session bus and no display (cron, a timer while
// the user is away, Task Scheduler), so the job's command depends on
// neither; the environment it needs (see [Environment]) is written into
// the job where the mechanism allows: systemd's Environment=, assignments
// before the command in cron, launchd's EnvironmentVariables. Nothing
// secret is ever written there.
//
// Every system command goes through a [Runner], so that tests can record
// the calls, or run the real commands.
package schedule
