//go:build !windows

package main

// attachConsole is for Windows' GUI-subsystem build (console_windows.go);
// elsewhere a program run from a shell has the shell's terminal already.
func attachConsole() {}
