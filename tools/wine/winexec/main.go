// Command winexec runs a Windows program under Wine in the prefix at
// $WINEPREFIX, setting the prefix up first where it is new, and exits
// with the program's status. It is what make test-windows gives go test
// as -exec, to run packages' test binaries built for Windows.
//
//	winexec PROGRAM [ARG...]   run it
//	winexec --init             only set the prefix up
//	winexec --overlay DIR      write go test's -overlay for Wine (wine.Overlay) and print its path
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"

	"popvault/tools/wine"
)

func main() {
	if len(os.Args) == 3 && os.Args[1] == "--overlay" {
		path, err := wine.Overlay(os.Args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "winexec:", err)
			os.Exit(1)
		}
		fmt.Println(path)
		return
	}
	dir := os.Getenv("WINEPREFIX")
	if dir == "" || len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: WINEPREFIX=DIR winexec PROGRAM [ARG...] | --init | --overlay DIR")
		os.Exit(2)
	}
	p, err := wine.Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "winexec:", err)
		os.Exit(1)
	}
	if os.Args[1] == "--init" {
		return
	}
	cmd := p.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		os.Exit(exit.ExitCode())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "winexec:", err)
		os.Exit(1)
	}
}
