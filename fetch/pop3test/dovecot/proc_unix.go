//go:build unix

package dovecot

import (
	"os/exec"
	"syscall"
)

// dieWithUs starts Dovecot in a process group of its own, which gets
// SIGTERM when the test binary dies, so that a killed test leaves no
// server behind.
func dieWithUs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
}

// stopGroup signals Dovecot's whole process group: its master, login
// and mail processes.
func stopGroup(cmd *exec.Cmd, kill bool) {
	sig := syscall.SIGTERM
	if kill {
		sig = syscall.SIGKILL
	}
	syscall.Kill(-cmd.Process.Pid, sig)
}

// reload has Dovecot read its configuration again.
func reload(cmd *exec.Cmd) error { return cmd.Process.Signal(syscall.SIGHUP) }
