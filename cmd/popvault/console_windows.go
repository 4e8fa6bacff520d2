package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// On Windows one program serves the double-click and the shell, and the
// PE header's subsystem decides which one the system treats it as. The
// release holds it twice, byte for byte the same but for that field
// (make package-windows, tools/winpack):
//
//   - popvault.exe, the GUI subsystem (-H windowsgui): a double-click
//     opens the window and no console flashes up. Started from cmd.exe or
//     PowerShell with a command, it has no console of its own, so it
//     attaches to the shell's (attachConsole); the shell does not wait
//     for a GUI program, though, so its prompt comes back at once.
//   - popvault.com, the console subsystem: cmd.exe and PowerShell take
//     .com before .exe when "popvault" is typed (PATHEXT), wait for it,
//     see its exit status (%ERRORLEVEL%, $LASTEXITCODE) and deliver
//     Ctrl-C. It is what scripts and Task Scheduler run.

// AttachConsole is not in x/sys/windows.
var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

const attachParentProcess = ^uintptr(0) // ATTACH_PARENT_PROCESS, (DWORD)-1

// attachConsole gives a GUI-subsystem popvault.exe run with a command the
// console of the shell that started it, for whichever standard handle
// the shell did not give it (a redirection to a file or a pipe is kept).
// popvault.com, which has a console already, finds nothing to do.
func attachConsole() {
	missing := func(h uint32) bool {
		fd, err := windows.GetStdHandle(h)
		return err != nil || fd == 0 || fd == windows.InvalidHandle
	}
	out, errs, in := missing(windows.STD_OUTPUT_HANDLE), missing(windows.STD_ERROR_HANDLE), missing(windows.STD_INPUT_HANDLE)
	if !out && !errs && !in {
		return
	}
	if ok, _, _ := procAttachConsole.Call(attachParentProcess); ok == 0 {
		return // double-clicked, or started by a program with no console
	}
	reopen := func(std uint32, name string, flag int, f **os.File) {
		c, err := os.OpenFile(name, flag, 0)
		if err != nil {
			return
		}
		windows.SetStdHandle(std, windows.Handle(c.Fd()))
		*f = c
	}
	if out {
		reopen(windows.STD_OUTPUT_HANDLE, "CONOUT$", os.O_WRONLY, &os.Stdout)
	}
	if errs {
		reopen(windows.STD_ERROR_HANDLE, "CONOUT$", os.O_WRONLY, &os.Stderr)
	}
	if in {
		reopen(windows.STD_INPUT_HANDLE, "CONIN$", os.O_RDONLY, &os.Stdin)
	}
}
