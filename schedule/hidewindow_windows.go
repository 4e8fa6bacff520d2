package schedule

import (
	"os/exec"
	"syscall"
)

// hideWindow starts a console program (schtasks.exe) from popvault.exe,
// a GUI program, without a console window flashing up.
func hideWindow(cmd *exec.Cmd) {
	const createNoWindow = 0x08000000
	cmd.SysProcAttr = &syscall.SysProcAttr{HideWindow: true, CreationFlags: createNoWindow}
}
